export * from './prng';
export * from './season-calendar';
export * from './season-timer';
export * from './village';
export * from './village-households';
export * from './village-unit';
export * from './village-work';
