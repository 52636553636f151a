// Untrusted JSON is checked by valibot schemas (one library for all of it); this area turns their issues into words.
export { issueLines, issuePath } from './issues';
