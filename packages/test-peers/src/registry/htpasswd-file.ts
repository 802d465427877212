import bcrypt from "bcryptjs";

/**
 * Renders an htpasswd file with bcrypt hashes (cost 5, like `htpasswd -Bbn -C 5`), the only
 * format distribution's `auth.htpasswd` accepts.
 */
export function renderHtpasswd(users: Readonly<Record<string, string>>): string {
  return Object.entries(users)
    .map(([user, password]) => {
      if (user === "" || user.includes(":") || /\s/.test(user)) {
        throw new TypeError(
          `htpasswd user names must be non-empty without ':' or spaces: ${JSON.stringify(user)}`,
        );
      }
      return `${user}:${bcrypt.hashSync(password, 5)}\n`;
    })
    .join("");
}
