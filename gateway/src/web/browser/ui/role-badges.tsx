/** Readable names of the realm roles (design.md §3); unknown roles are shown as they come. */
const ROLE_LABELS: Readonly<Record<string, string>> = {
  patient: 'Patient',
  clinician: 'Clinician',
  'hospital-system': 'Hospital system',
  auditor: 'Auditor',
  steward: 'Model steward',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}

/** The caller's roles as badges; `data-role` carries the raw role name for tests and styling. */
export function RoleBadges({ roles }: { roles: readonly string[] }) {
  if (roles.length === 0) {
    return (
      <p className="roles roles--none" data-testid="user-roles">
        No roles
      </p>
    );
  }
  return (
    <ul className="roles" aria-label="Roles" data-testid="user-roles">
      {roles.map((role) => (
        <li key={role} className={`badge badge--${ROLE_LABELS[role] ? role : 'other'}`} data-role={role}>
          {roleLabel(role)}
        </li>
      ))}
    </ul>
  );
}
