import type { ServerStatus } from '../../app/contract';

/** The colour of a status. Never alone: the status is always also said in words next to it. */
export function StatusDot({ status }: { status: ServerStatus }) {
  return <span className={`status-dot status-${status}`} aria-hidden="true" />;
}
