import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface MenuItem {
  label: string;
  onSelect: () => void;
}

/**
 * A menu button (WAI-ARIA menu pattern), named "{label} {context}" ("Actions for GitHub") while it shows the label.
 * Enter, Space or ArrowDown opens it on the first item; arrows, Home and End move; Escape or Tab closes it. Choosing
 * an item gives focus back to the button before the item acts, so a dialog it opens returns focus there.
 */
export function MenuButton({ label, context, items }: { label: string; context: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const [focusIndex, setFocusIndex] = useState(0);
  const menuId = useId();

  // A layout effect: the item has focus before the browser handles the next key.
  useLayoutEffect(() => {
    if (!open) return undefined;
    const entries = menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]');
    entries?.[focusIndex]?.focus();
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open, focusIndex]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const openAt = (index: number) => {
    setFocusIndex(index);
    setOpen(true);
  };
  const onMenuKey = (event: KeyboardEvent) => {
    const last = items.length - 1;
    const moves: Record<string, number> = {
      ArrowDown: focusIndex === last ? 0 : focusIndex + 1,
      ArrowUp: focusIndex === 0 ? last : focusIndex - 1,
      Home: 0,
      End: last,
    };
    if (event.key in moves) {
      event.preventDefault();
      setFocusIndex(moves[event.key] as number);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div class="menu">
      <button
        ref={buttonRef}
        type="button"
        class="secondary"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? setOpen(false) : openAt(0))}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            openAt(event.key === 'ArrowDown' ? 0 : items.length - 1);
          }
        }}
      >
        {label}
        <span class="visually-hidden"> {context}</span>
      </button>
      {open ? (
        <ul ref={menuRef} id={menuId} role="menu" aria-label={`${label} ${context}`} onKeyDown={onMenuKey}>
          {items.map((item, index) => (
            <li role="none" key={item.label}>
              <button
                type="button"
                role="menuitem"
                tabIndex={index === focusIndex ? 0 : -1}
                onClick={() => {
                  close();
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
