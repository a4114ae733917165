// The gateway's version: `deployments --version` and the gateway_build_info metric.
#pragma once

#define GW_VERSION "0.1.0"
