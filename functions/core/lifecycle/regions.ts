/** Sales regions by country, for routing and approval segments. Countries not listed are in 'OTHER'. */
const REGION_OF: Record<string, string> = {};
const add = (region: string, countries: string) => {
  for (const c of countries.split(' ')) REGION_OF[c] = region;
};
add('DACH', 'DE AT CH LI');
add(
  'EMEA',
  'GB IE FR BE NL LU ES PT IT DK SE NO FI IS PL CZ SK HU RO BG GR HR SI EE LV LT MT CY AE SA IL ZA EG MA NG KE TR',
);
add('AMER', 'US CA MX BR AR CL CO PE UY');
add('APAC', 'JP CN HK TW KR SG MY TH VN PH ID IN AU NZ');

export const regionOf = (country: string | undefined): string =>
  country ? (REGION_OF[country.toUpperCase()] ?? 'OTHER') : 'OTHER';
