import { startOrganizationInstallBody } from '../../client/api/schemas';
import {
  isValidOrganizationalUnitId,
  isValidOrganizationInstallId,
  maxOrganizationInstallIdLength,
  organizationInstallBounds,
} from '../../domain/organization-install';

describe('organization install input bounds', () => {
  it('takes an id of 23 characters and refuses 24, since member install ids append -<account>', () => {
    expect(isValidOrganizationInstallId('a'.repeat(maxOrganizationInstallIdLength))).toBe(true);
    expect(isValidOrganizationInstallId('a'.repeat(maxOrganizationInstallIdLength + 1))).toBe(false);
    expect(isValidOrganizationInstallId('')).toBe(false);
  });

  it('refuses OU ids of the wrong shape or length, a megabyte long one included', () => {
    expect(isValidOrganizationalUnitId('ou-ab12-cdef3456')).toBe(true);
    expect(isValidOrganizationalUnitId('r-abcd')).toBe(true);
    expect(isValidOrganizationalUnitId(`ou-ab12-${'c'.repeat(61)}`)).toBe(false);
    expect(isValidOrganizationalUnitId('ou-AB12-cdef3456')).toBe(false);
    expect(isValidOrganizationalUnitId(`ou-${'a'.repeat(1_000_000)}-`)).toBe(false);
  });

  it('bounds the OU list in the API body to the same count the workflow keeps', () => {
    const { organizationalUnitIds } = startOrganizationInstallBody.properties as unknown as Record<
      string,
      { maxItems?: number; minItems?: number }
    >;
    expect(organizationalUnitIds).toMatchObject({
      minItems: 1,
      maxItems: organizationInstallBounds.maxOrganizationalUnits,
    });
  });
});
