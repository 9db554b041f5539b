import { redactUrl } from './database-url.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://fhir:s3cret@db.example.org:5432/fhir', 'postgres://fhir:***@db.example.org:5432/fhir'],
    ['postgresql://fhir:p%40ss@db.example.org/fhir?sslmode=require', 'postgresql://fhir:***@db.example.org/fhir?sslmode=require'],
    ['postgres://fhir@db.example.org/fhir?password=s3cret&sslpassword=k3y', 'postgres://fhir@db.example.org/fhir?password=***&sslpassword=***'],
    ['postgres://db.example.org/fhir', 'postgres://db.example.org/fhir'],
    ['postgres://fhir:s3cret@[db/fhir', 'postgres:…'],
  ])('turns %s into %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });
});
