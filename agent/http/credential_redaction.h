// The credentials a request carries (basic auth, Authorization and token headers), in the forms a
// peer may send them back: raw, base64 as on the wire, JSON- and percent-encoded. A peer that
// echoes the request into an error body must not put them into logs or /status (issue 23).
#pragma once

#include <string>
#include <vector>

#include "agent/http/http_client.h"

namespace cdcwatch {

std::vector<std::string> credentials_of(const HttpRequest& request);

// Replaces every occurrence of each credential in `text` with <redacted>.
void redact_credentials(std::string& text, const std::vector<std::string>& credentials);

}  // namespace cdcwatch
