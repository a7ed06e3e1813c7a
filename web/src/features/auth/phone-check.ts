/**
 * What the sign-in form needs of libphonenumber (its mobile metadata, ~35 kB gzip): loaded when
 * the form is used (SignIn.tsx), not with the page, so a slow line shows the form first.
 */
export { normalizePhone } from '@abrik/protocol';
export { formatPhone } from '../../lib/phone.js';
