import type { ReactNode } from 'react';

// 16px line icons drawn for Pier. Always decorative: the control that holds
// one carries the accessible name.
function Icon({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      width="16"
      height="16"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const PlusIcon = () => (
  <Icon>
    <path d="M8 3.5v9M3.5 8h9" />
  </Icon>
);

export const FolderIcon = () => (
  <Icon>
    <path d="M2 4.75C2 3.78 2.78 3 3.75 3h2.4l1.6 1.6h4.5c.97 0 1.75.78 1.75 1.75v5.9c0 .97-.78 1.75-1.75 1.75h-8.5C2.78 14 2 13.22 2 12.25z" />
  </Icon>
);

export const PlayIcon = () => (
  <Icon>
    <path d="M5 3.6v8.8a.5.5 0 0 0 .76.43l7-4.4a.5.5 0 0 0 0-.86l-7-4.4A.5.5 0 0 0 5 3.6z" fill="currentColor" stroke="none" />
  </Icon>
);

export const StopIcon = () => (
  <Icon>
    <rect x="4" y="4" width="8" height="8" rx="1.5" fill="currentColor" stroke="none" />
  </Icon>
);

export const ExternalIcon = () => (
  <Icon>
    <path d="M9.5 2.75h3.75V6.5M13.25 2.75 7.5 8.5M12 9.75v2.5c0 .69-.56 1.25-1.25 1.25h-7C3.06 13.5 2.5 12.94 2.5 12.25v-7C2.5 4.56 3.06 4 3.75 4h2.5" />
  </Icon>
);

export const CopyIcon = () => (
  <Icon>
    <rect x="5.25" y="5.25" width="8.25" height="8.25" rx="1.75" />
    <path d="M10.75 5.25v-1.5c0-.69-.56-1.25-1.25-1.25H3.75c-.69 0-1.25.56-1.25 1.25V9.5c0 .69.56 1.25 1.25 1.25h1.5" />
  </Icon>
);

export const CheckIcon = () => (
  <Icon>
    <path d="m3.5 8.5 3 3 6-7" />
  </Icon>
);

export const QrIcon = () => (
  <Icon>
    <rect x="2.5" y="2.5" width="4" height="4" rx="0.75" />
    <rect x="9.5" y="2.5" width="4" height="4" rx="0.75" />
    <rect x="2.5" y="9.5" width="4" height="4" rx="0.75" />
    <path d="M9.5 9.5h1.5v1.5M13.5 9.5v.01M12 12v1.5h1.5M9.5 13.5v.01" />
  </Icon>
);

export const TrashIcon = () => (
  <Icon>
    <path d="M2.75 4.25h10.5M6.25 4.25V3c0-.28.22-.5.5-.5h2.5c.28 0 .5.22.5.5v1.25M4.25 4.25l.6 8.3c.05.66.6 1.2 1.26 1.2h3.78c.66 0 1.21-.54 1.26-1.2l.6-8.3" />
  </Icon>
);

export const ChevronIcon = ({ className }: { className?: string }) => (
  <Icon className={className}>
    <path d="m6 3.75 4.25 4.25L6 12.25" />
  </Icon>
);

export const SearchIcon = () => (
  <Icon>
    <circle cx="7" cy="7" r="4.25" />
    <path d="m10.25 10.25 3.25 3.25" />
  </Icon>
);

export const PauseIcon = () => (
  <Icon>
    <path d="M5.5 3.5v9M10.5 3.5v9" strokeWidth="2" />
  </Icon>
);

export const CloseIcon = () => (
  <Icon>
    <path d="m4 4 8 8M12 4l-8 8" />
  </Icon>
);

export const ArrowDownIcon = () => (
  <Icon>
    <path d="M8 3v10M4 9l4 4 4-4" />
  </Icon>
);

export const AlertIcon = () => (
  <Icon>
    <path d="M7.13 2.5a1 1 0 0 1 1.74 0l5.5 9.5a1 1 0 0 1-.87 1.5h-11a1 1 0 0 1-.87-1.5z" />
    <path d="M8 6v3M8 11.25v.01" />
  </Icon>
);

export const InfoIcon = () => (
  <Icon>
    <circle cx="8" cy="8" r="5.75" />
    <path d="M8 7.25v3.5M8 5.25v.01" />
  </Icon>
);

export const WifiIcon = () => (
  <Icon>
    <path d="M2 6.25a9 9 0 0 1 12 0M4.1 8.6a6 6 0 0 1 7.8 0M6.2 10.9a3 3 0 0 1 3.6 0M8 13.25v.01" />
  </Icon>
);

export const DropIcon = () => (
  <Icon>
    <path d="M8 2.5v7.5M4.75 6.75 8 10l3.25-3.25M2.5 10.5v1.75c0 .69.56 1.25 1.25 1.25h8.5c.69 0 1.25-.56 1.25-1.25V10.5" />
  </Icon>
);

export const LockIcon = () => (
  <Icon>
    <rect x="3" y="7" width="10" height="6.5" rx="1.5" />
    <path d="M5.25 7V5a2.75 2.75 0 0 1 5.5 0v2" />
  </Icon>
);

export const ShieldIcon = () => (
  <Icon>
    <path d="M8 1.75 3 3.6v4.15c0 3.05 2.1 5.45 5 6.5 2.9-1.05 5-3.45 5-6.5V3.6z" />
    <path d="m5.9 8.1 1.5 1.5 2.8-3" />
  </Icon>
);

export const PhoneIcon = () => (
  <Icon>
    <rect x="4.25" y="1.75" width="7.5" height="12.5" rx="1.75" />
    <path d="M7.25 11.75h1.5" />
  </Icon>
);

export const SparkIcon = () => (
  <Icon>
    <path d="M8 2v2.5M8 11.5V14M2 8h2.5M11.5 8H14M3.75 3.75l1.75 1.75M10.5 10.5l1.75 1.75M12.25 3.75 10.5 5.5M5.5 10.5l-1.75 1.75" />
  </Icon>
);

export const DownloadIcon = () => (
  <Icon>
    <path d="M8 2.5v7.5M4.75 7 8 10.25 11.25 7M3 12.75h10" />
  </Icon>
);

export const ExportIcon = () => (
  <Icon>
    <path d="M9.5 3H4.25C3.56 3 3 3.56 3 4.25v7.5c0 .69.56 1.25 1.25 1.25H9.5M7 8h6.5M11 5.5 13.5 8 11 10.5" />
  </Icon>
);

export const SlidersIcon = () => (
  <Icon>
    <path d="M3 4.5h4.5M10.5 4.5H13M3 11.5h1.5M7.5 11.5H13" />
    <circle cx="9" cy="4.5" r="1.5" />
    <circle cx="6" cy="11.5" r="1.5" />
  </Icon>
);
