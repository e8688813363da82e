export * from './errors';
export * from './load-spec';
export * from './options';
export * from './report';
export * from './verify';
export * from './run';
