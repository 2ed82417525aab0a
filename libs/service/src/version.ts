import { version } from '../../../package.json';

/** skblab's version (package.json), reported by /metrics and /docs. */
export const SERVICE_VERSION: string = version;
