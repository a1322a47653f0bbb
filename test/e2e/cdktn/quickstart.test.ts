import { quickstartLifecycle } from '../quickstart';

quickstartLifecycle('cdktn');
