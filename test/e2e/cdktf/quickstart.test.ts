import { quickstartLifecycle } from '../quickstart';

quickstartLifecycle('cdktf');
