// A Kafka partition as the probes that read Kafka key it: topic and partition number.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace cdcwatch {

using TopicPartition = std::pair<std::string, int32_t>;

}  // namespace cdcwatch
