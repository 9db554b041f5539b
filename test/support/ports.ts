export { freePort } from '../../gateway/src/common/index.js';
