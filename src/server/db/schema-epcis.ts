/** The EPCIS repository's tables (module epcis), merged into `Database` in schema.ts. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EpcisTables {}
