// A libpq connection string's password, wherever it is written: `password=...` (quoted or not)
// in key=value form, `user:password@` or `?password=` in a postgres:// URI. libpq quotes pieces of
// a malformed DSN back in its errors, so the password is registered for scrubbing (with each of
// its whitespace-separated pieces, see remember_secret) and shown as <redacted> by check-config.
#pragma once

#include <string>
#include <string_view>

namespace cdcwatch {

// The DSN with every password value replaced by <redacted>; the rest unchanged.
std::string redact_dsn(std::string_view dsn);
// Registers every password value in the DSN as a secret (inline ones included).
void remember_dsn_passwords(std::string_view dsn);

}  // namespace cdcwatch
