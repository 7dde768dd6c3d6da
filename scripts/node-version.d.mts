// Types for node-version.mjs (plain JavaScript, so that `npm start` runs it before anything is built).
export declare const APP_NODE: string;
export declare function nodeVersionProblem(found: string, needed?: string): string | null;
