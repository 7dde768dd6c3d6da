import { pier } from '../pier';
import { dismissNotice, useNotices } from '../stores/notices-store';
import { AlertIcon, CloseIcon, InfoIcon } from './icons';

export function NoticeBanners() {
  const notices = useNotices();
  if (notices.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((notice) => (
        <div key={notice.id} role="alert" className={`notice notice-${notice.level}`}>
          {notice.level === 'info' ? <InfoIcon /> : <AlertIcon />}
          <p>{notice.message}</p>
          <button type="button" className="btn btn-ghost btn-icon" aria-label="Dismiss" title="Dismiss" onClick={() => dismissNotice(pier(), notice.id)}>
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}
