import { useMemo } from 'preact/hooks';
import { renderMarkdown } from '../markdown';

/** A markdown text rendered and sanitised (see markdown.ts). */
export function Markdown({ text, label }: { text: string; label: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  // innerHTML takes the TrustedHTML the CSP requires; TypeScript's DOM types still spell that parameter `string`.
  return <div class="markdown" role="group" aria-label={label} dangerouslySetInnerHTML={{ __html: html as string }} />;
}
