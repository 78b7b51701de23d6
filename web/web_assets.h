// The pipeline page's files (web/index.html, page.css, page.js), compiled into the binary.
// Immutable after static initialisation: safe to read from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace cdcwatch {

struct WebAsset {
  std::string_view path;  // the URL path it is served at: "/" for index.html
  std::string_view content_type;
  std::string_view body;
};

// Defined in the generated web_assets_data.cpp.
const std::vector<WebAsset>& web_assets();

}  // namespace cdcwatch
