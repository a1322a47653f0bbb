import DOMPurify from 'dompurify';
import { Marked } from 'marked';

/**
 * Descriptions are markdown written by anyone who may edit an integration, and read by everyone who may list it,
 * so they are rendered as untrusted input. marked renders the markdown, with raw HTML shown as text (as Bitbucket
 * shows it), headings placed below the page's own (a description's `#` is an h3), and an image as a link to it, so
 * a description never makes the browser fetch anything. DOMPurify then keeps only the elements and attributes this
 * markdown produces: a link keeps its href only for http(s), mailto and same-origin paths. The result is
 * TrustedHTML where the browser has Trusted Types (the console's CSP requires them), so this is the one place HTML
 * is made from text.
 */

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html({ text }) {
      return escapeText(text);
    },
    heading({ tokens, depth }) {
      const level = Math.min(depth + 2, 6);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
    image({ href, text }) {
      return `<a href="${escapeAttribute(href)}">${escapeText(text === '' ? href : text)}</a>`;
    },
  },
});

const ALLOWED_TAGS = [
  'a', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'li', 'ol', 'p', 'pre',
  'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul',
];

const SAFE_LINK = /^(https?:|mailto:|\/(?!\/)|#)/i;

// The default instance only: each instance creates its own 'dompurify' Trusted Types policy, and the CSP allows one.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName !== 'A') return;
  const href = node.getAttribute('href');
  if (href !== null && !SAFE_LINK.test(href.trim())) node.removeAttribute('href');
  if (node.hasAttribute('href')) node.setAttribute('rel', 'noopener noreferrer nofollow');
});

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}

/** Sanitised HTML for a markdown text. */
export function renderMarkdown(markdown: string): TrustedHTML | string {
  const html = marked.parse(markdown) as string;
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'title', 'align'],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_TRUSTED_TYPE: true,
  });
}
