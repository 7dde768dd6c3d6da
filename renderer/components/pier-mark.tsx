/** Pier's mark: a landing stage over water. Decorative; the app name sits next to it. */
export function PierMark() {
  return (
    <svg className="pier-mark" width="22" height="22" viewBox="0 0 22 22" aria-hidden="true" focusable="false">
      <rect width="22" height="22" rx="6" className="pier-mark-tile" />
      <path d="M5 9.5h12M7.5 9.5v5M14.5 9.5v5" className="pier-mark-line" strokeWidth="1.8" strokeLinecap="round" fill="none" />
      <path d="M4.5 16.5c1.1 0 1.1-.9 2.2-.9s1.1.9 2.2.9 1.1-.9 2.1-.9 1.1.9 2.2.9 1.1-.9 2.2-.9 1.1.9 2.1.9" className="pier-mark-line" strokeWidth="1.4" strokeLinecap="round" fill="none" />
    </svg>
  );
}
