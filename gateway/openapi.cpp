#include "gateway/openapi.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "gateway/apidocs.h"
#include "gateway/router.h"
#include "gateway/version.h"

namespace gw {
namespace {

// The parts of the document that no route owns: info, tags and the shared components (schemas
// of the three endpoint types in both API families, error shapes, headers, parameters). JSON
// text, so it reads as the document it becomes; `paths` is filled from the route table.
constexpr std::string_view kDocument = R"json({
  "openapi": "3.1.0",
  "info": {
    "title": "LLM Gateway",
    "version": "",
    "summary": "MLflow's Deployments Server REST API and OpenAI-compatible /v1 routes on one port.",
    "description": "One server between applications and LLM providers. Endpoints are described in the gateway's YAML config; each has a type: `llm/v1/chat`, `llm/v1/completions` or `llm/v1/embeddings`, which decides its request and response bodies.\n\n- **MLflow routes** (`/endpoints/{name}/invocations`, `/api/2.0/...`): MLflow's Deployments Server API. Errors are FastAPI's `{\"detail\": ...}`.\n- **OpenAI-compatible routes** (`/v1/...`): the body's `model` names the endpoint or traffic route; OpenAI's SDKs work with `base_url` `http://<host>:<port>/v1` and any API key (with the config's `auth`, a client key: 401 without one, 403 for an endpoint it may not use). Errors are OpenAI's `{\"error\": {\"message\", \"type\", \"param\", \"code\"}}`.\n\nUnknown paths answer 404 `{\"detail\":\"Not Found\"}`; a known path with another method 405 in its family's shape. `HEAD` is accepted wherever `GET` is. Every response carries `X-Request-Id`. The gateway's repository documents every route, status and error text in docs/api.md.\n\nThis document is generated from the gateway's route table, so it lists exactly the routes the server answers."
  },
  "tags": [
    {"name": "OpenAI-compatible", "description": "`/v1/*`: OpenAI's request and response shapes. The body's `model` names an endpoint or traffic route of the matching type (`GET /v1/models` lists them); errors use OpenAI's shape."},
    {"name": "Invocations", "description": "MLflow's invocation routes: call an endpoint or a traffic route by name; the body's shape is the endpoint type's. Errors use FastAPI's `{\"detail\": ...}`."},
    {"name": "Endpoints", "description": "MLflow's endpoint, legacy route and traffic route objects (no secrets: the provider config is never returned)."},
    {"name": "Limits", "description": "MLflow's limits APIs, answered as MLflow answers them: not available (501); limits are set in the config file. The usage report: requests, tokens and USD per client key and endpoint."},
    {"name": "Operations", "description": "Health check and Prometheus metrics."},
    {"name": "Documentation", "description": "This document, Swagger UI and ReDoc, and the files they load: all embedded in the gateway, nothing is fetched from elsewhere."}
  ],
  "paths": {},
  "security": [{}, {"bearerAuth": []}, {"apiKeyHeader": []}],
  "components": {
    "securitySchemes": {
      "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A client key of the config's `auth.keys` (docs/access-and-budgets.md). Needed on every route but /health when `auth` is set; without `auth` nothing is asked."},
      "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "The same client key in the X-API-Key header."}
    },
    "schemas": {
      "ChatMessage": {
        "type": "object",
        "description": "A chat message. Keys other than these are dropped.",
        "required": ["role"],
        "properties": {
          "role": {"type": "string", "examples": ["system", "user", "assistant", "tool"]},
          "content": {
            "description": "Text, a list of content parts, or null (e.g. an assistant message that only calls tools).",
            "anyOf": [
              {"type": "string"},
              {"type": "array", "items": {"$ref": "#/components/schemas/ContentPart"}},
              {"type": "null"}
            ]
          },
          "tool_calls": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/ToolCall"}},
          "refusal": {"type": ["string", "null"]},
          "tool_call_id": {"type": ["string", "null"], "description": "On a `tool` message: the call it answers."}
        }
      },
      "ContentPart": {
        "description": "One part of a message's content, by its `type`.",
        "oneOf": [
          {
            "type": "object", "title": "text", "required": ["type", "text"],
            "properties": {"type": {"const": "text"}, "text": {"type": "string"}}
          },
          {
            "type": "object", "title": "image_url", "required": ["type", "image_url"],
            "properties": {
              "type": {"const": "image_url"},
              "image_url": {
                "type": "object", "required": ["url"],
                "properties": {"url": {"type": "string"}, "detail": {"enum": ["auto", "low", "high"]}}
              }
            }
          },
          {
            "type": "object", "title": "input_audio", "required": ["type", "input_audio"],
            "properties": {
              "type": {"const": "input_audio"},
              "input_audio": {
                "type": "object", "required": ["data", "format"],
                "properties": {"data": {"type": "string", "description": "Base64 audio."}, "format": {"enum": ["wav", "mp3"]}}
              }
            }
          }
        ]
      },
      "ToolCall": {
        "type": "object",
        "required": ["id", "function"],
        "properties": {
          "id": {"type": "string"},
          "type": {"type": "string", "default": "function"},
          "function": {
            "type": "object",
            "properties": {
              "name": {"type": "string"},
              "arguments": {"type": "string", "description": "The arguments as JSON text."}
            }
          }
        }
      },
      "Tool": {
        "type": "object",
        "description": "A tool the model may call. Forwarded exactly as given (the whole JSON schema of its parameters).",
        "properties": {
          "type": {"enum": ["function", "uc_function"]},
          "function": {
            "type": "object",
            "required": ["name"],
            "properties": {
              "name": {"type": "string"},
              "description": {"type": "string"},
              "parameters": {"type": "object", "description": "A JSON schema."}
            }
          }
        }
      },
      "ChatRequest": {
        "type": "object",
        "title": "llm/v1/chat request",
        "description": "The body for an `llm/v1/chat` endpoint. `null` fields are dropped; `temperature` and `n` get their defaults; other top-level keys (`top_p`, `response_format`, `presence_penalty`, ...) are forwarded to the provider as given.",
        "required": ["messages"],
        "properties": {
          "messages": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/ChatMessage"}},
          "tools": {"type": "array", "items": {"$ref": "#/components/schemas/Tool"}},
          "temperature": {"type": "number", "minimum": 0, "maximum": 2, "default": 0.0, "description": "Numeric strings are accepted."},
          "n": {"type": "integer", "minimum": 1, "default": 1},
          "stop": {"type": "array", "minItems": 1, "items": {"type": "string"}, "description": "A list: a bare string is refused."},
          "max_tokens": {"type": "integer", "minimum": 1},
          "stream": {"type": "boolean", "default": false, "description": "`true` answers with server-sent events (`text/event-stream`)."},
          "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}}}
        }
      },
      "CompletionsRequest": {
        "type": "object",
        "title": "llm/v1/completions request",
        "description": "The body for an `llm/v1/completions` endpoint. Same rules as chat: `null` fields dropped, defaults added, other top-level keys forwarded.",
        "required": ["prompt"],
        "properties": {
          "prompt": {"type": "string", "description": "May be empty."},
          "temperature": {"type": "number", "minimum": 0, "maximum": 2, "default": 0.0, "description": "Numeric strings are accepted."},
          "n": {"type": "integer", "minimum": 1, "default": 1},
          "stop": {"type": "array", "minItems": 1, "items": {"type": "string"}},
          "max_tokens": {"type": "integer", "minimum": 1},
          "stream": {"type": "boolean", "default": false, "description": "`true` answers with server-sent events (`text/event-stream`)."},
          "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}}}
        }
      },
      "EmbeddingsRequest": {
        "type": "object",
        "title": "llm/v1/embeddings request",
        "description": "The body for an `llm/v1/embeddings` endpoint; other top-level keys (`dimensions`, ...) are forwarded as given.",
        "required": ["input"],
        "properties": {
          "input": {
            "anyOf": [
              {"type": "string"},
              {"type": "array", "items": {"type": "string"}},
              {"type": "array", "items": {"type": "integer"}},
              {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}
            ]
          },
          "encoding_format": {"enum": ["float", "base64"], "description": "`base64`: each embedding is a base64 string of little-endian float32 values."}
        }
      },
      "ModelSelector": {
        "type": "object",
        "required": ["model"],
        "properties": {
          "model": {"type": "string", "description": "The endpoint or traffic route to call (`GET /v1/models` lists them); removed before the provider is called.", "examples": ["chat"]}
        }
      },
      "OpenAIChatRequest": {
        "title": "OpenAI chat completion request",
        "description": "An `llm/v1/chat` body plus `model`, which names the endpoint.",
        "allOf": [{"$ref": "#/components/schemas/ModelSelector"}, {"$ref": "#/components/schemas/ChatRequest"}]
      },
      "OpenAICompletionsRequest": {
        "title": "OpenAI completion request",
        "description": "An `llm/v1/completions` body plus `model`, which names the endpoint.",
        "allOf": [{"$ref": "#/components/schemas/ModelSelector"}, {"$ref": "#/components/schemas/CompletionsRequest"}]
      },
      "OpenAIEmbeddingsRequest": {
        "title": "OpenAI embeddings request",
        "description": "An `llm/v1/embeddings` body plus `model`, which names the endpoint.",
        "allOf": [{"$ref": "#/components/schemas/ModelSelector"}, {"$ref": "#/components/schemas/EmbeddingsRequest"}]
      },
      "Usage": {
        "type": "object",
        "description": "Token counts; a count the provider did not report is null.",
        "properties": {
          "prompt_tokens": {"type": ["integer", "null"]},
          "completion_tokens": {"type": ["integer", "null"]},
          "total_tokens": {"type": ["integer", "null"]}
        }
      },
      "ChatResponse": {
        "type": "object",
        "title": "llm/v1/chat response",
        "description": "Optional keys are always present (null when the provider did not send them); `choices[i].index` is the position in the array.",
        "required": ["id", "object", "created", "model", "choices", "usage"],
        "properties": {
          "id": {"type": ["string", "null"]},
          "object": {"const": "chat.completion"},
          "created": {"type": "integer", "description": "UNIX seconds."},
          "model": {"type": ["string", "null"]},
          "choices": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["index", "message", "finish_reason"],
              "properties": {
                "index": {"type": "integer"},
                "message": {
                  "type": "object",
                  "required": ["role", "content"],
                  "properties": {
                    "role": {"type": "string"},
                    "content": {"type": ["string", "null"]},
                    "tool_calls": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/ToolCall"}},
                    "refusal": {"type": ["string", "null"]}
                  }
                },
                "finish_reason": {"type": ["string", "null"]}
              }
            }
          },
          "usage": {"$ref": "#/components/schemas/Usage"}
        }
      },
      "CompletionsResponse": {
        "type": "object",
        "title": "llm/v1/completions response",
        "required": ["id", "object", "created", "model", "choices", "usage"],
        "properties": {
          "id": {"type": ["string", "null"]},
          "object": {"const": "text_completion"},
          "created": {"type": "integer", "description": "UNIX seconds."},
          "model": {"type": ["string", "null"]},
          "choices": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["index", "text", "finish_reason"],
              "properties": {
                "index": {"type": "integer"},
                "text": {"type": ["string", "null"]},
                "finish_reason": {"type": ["string", "null"]}
              }
            }
          },
          "usage": {"$ref": "#/components/schemas/Usage"}
        }
      },
      "EmbeddingsResponse": {
        "type": "object",
        "title": "llm/v1/embeddings response",
        "required": ["object", "data", "model", "usage"],
        "properties": {
          "object": {"const": "list"},
          "data": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["object", "embedding", "index"],
              "properties": {
                "object": {"const": "embedding"},
                "embedding": {
                  "description": "Floats, or a base64 string when the request asked for `\"encoding_format\": \"base64\"`.",
                  "anyOf": [{"type": "array", "items": {"type": "number"}}, {"type": "string"}]
                },
                "index": {"type": "integer"}
              }
            }
          },
          "model": {"type": ["string", "null"]},
          "usage": {
            "type": "object",
            "properties": {
              "prompt_tokens": {"type": ["integer", "null"]},
              "total_tokens": {"type": ["integer", "null"]}
            }
          }
        }
      },
      "ChatChunk": {
        "type": "object",
        "title": "chat stream chunk",
        "description": "One `data:` event of a chat stream. The chunk that carries `usage` has `\"choices\": []` and is sent only when the request asked for it (`stream_options.include_usage`).",
        "properties": {
          "id": {"type": ["string", "null"]},
          "object": {"const": "chat.completion.chunk"},
          "created": {"type": "integer"},
          "model": {"type": ["string", "null"]},
          "choices": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "index": {"type": "integer"},
                "finish_reason": {"type": ["string", "null"]},
                "delta": {
                  "type": "object",
                  "properties": {
                    "role": {"type": ["string", "null"]},
                    "content": {"type": ["string", "null"]},
                    "tool_calls": {"type": ["array", "null"], "items": {"type": "object"}}
                  }
                }
              }
            }
          },
          "usage": {"anyOf": [{"$ref": "#/components/schemas/Usage"}, {"type": "null"}]}
        }
      },
      "CompletionsChunk": {
        "type": "object",
        "title": "completions stream chunk",
        "properties": {
          "id": {"type": ["string", "null"]},
          "object": {"const": "text_completion_chunk"},
          "created": {"type": "integer"},
          "model": {"type": ["string", "null"]},
          "choices": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "index": {"type": "integer"},
                "finish_reason": {"type": ["string", "null"]},
                "text": {"type": ["string", "null"]}
              }
            }
          }
        }
      },
      "StreamError": {
        "type": "object",
        "description": "The last event of a stream that failed after it started; the body then ends (no `[DONE]`).",
        "required": ["error"],
        "properties": {
          "error": {
            "type": "object",
            "properties": {
              "message": {"type": "string"},
              "type": {"type": "string"},
              "code": {"type": ["string", "null"]}
            }
          }
        }
      },
      "Limit": {
        "type": ["object", "null"],
        "description": "The endpoint's rate limit as configured (null without one).",
        "properties": {
          "calls": {"type": "integer"},
          "key": {"type": ["string", "null"]},
          "renewal_period": {"type": "string"}
        }
      },
      "EndpointModel": {
        "type": "object",
        "properties": {
          "name": {"type": ["string", "null"]},
          "provider": {"type": "string"}
        }
      },
      "Endpoint": {
        "type": "object",
        "required": ["name", "endpoint_type", "model", "endpoint_url", "limit"],
        "properties": {
          "name": {"type": "string"},
          "endpoint_type": {"enum": ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"]},
          "model": {"$ref": "#/components/schemas/EndpointModel"},
          "endpoint_url": {"type": "string", "description": "Always the relative `/gateway/{name}/invocations`."},
          "limit": {"$ref": "#/components/schemas/Limit"}
        }
      },
      "UsageRow": {
        "type": "object",
        "required": ["key", "endpoint", "requests", "input_tokens", "output_tokens", "usd", "usd_micros"],
        "properties": {
          "key": {"type": ["string", "null"], "description": "The client key's name; null without `auth`."},
          "endpoint": {"type": "string"},
          "requests": {"type": "integer"},
          "input_tokens": {"type": "integer"},
          "output_tokens": {"type": "integer"},
          "usd": {"type": "number"},
          "usd_micros": {"type": "integer", "description": "Exact: integer micro-dollars."}
        }
      },
      "UsagePeriod": {
        "type": "object",
        "required": ["start", "end", "usage", "total"],
        "properties": {
          "start": {"type": "string", "format": "date-time"},
          "end": {"type": "string", "format": "date-time"},
          "usage": {"type": "array", "items": {"$ref": "#/components/schemas/UsageRow"}},
          "total": {"type": "object"}
        }
      },
      "EndpointList": {
        "type": "object",
        "required": ["endpoints", "next_page_token"],
        "properties": {
          "endpoints": {"type": "array", "items": {"$ref": "#/components/schemas/Endpoint"}},
          "next_page_token": {"type": ["string", "null"], "description": "null on the last page."}
        }
      },
      "LegacyRoute": {
        "type": "object",
        "description": "An endpoint in the deprecated route shape.",
        "required": ["name", "route_type", "model", "route_url", "limit"],
        "properties": {
          "name": {"type": "string"},
          "route_type": {"enum": ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"]},
          "model": {"$ref": "#/components/schemas/EndpointModel"},
          "route_url": {"type": "string"},
          "limit": {"$ref": "#/components/schemas/Limit"}
        }
      },
      "LegacyRouteList": {
        "type": "object",
        "required": ["routes", "next_page_token"],
        "properties": {
          "routes": {"type": "array", "items": {"$ref": "#/components/schemas/LegacyRoute"}},
          "next_page_token": {"type": ["string", "null"]}
        }
      },
      "TrafficRoute": {
        "type": "object",
        "required": ["name", "task_type", "destinations", "routing_strategy"],
        "properties": {
          "name": {"type": "string"},
          "task_type": {"enum": ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"]},
          "destinations": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {"name": {"type": "string"}, "traffic_percentage": {"type": "integer"}}
            }
          },
          "routing_strategy": {"const": "TRAFFIC_SPLIT"}
        }
      },
      "Model": {
        "type": "object",
        "required": ["id", "object", "created", "owned_by"],
        "properties": {
          "id": {"type": "string", "description": "An endpoint or traffic route name."},
          "object": {"const": "model"},
          "created": {"type": "integer", "description": "When the configuration was loaded (UNIX seconds)."},
          "owned_by": {"type": "string", "description": "The provider; `gateway` for a traffic route whose destinations have different providers."}
        }
      },
      "ModelList": {
        "type": "object",
        "required": ["object", "data"],
        "properties": {
          "object": {"const": "list"},
          "data": {"type": "array", "items": {"$ref": "#/components/schemas/Model"}}
        }
      },
      "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"const": "OK"}}
      },
      "SetLimitsRequest": {
        "type": "object",
        "required": ["route", "limits"],
        "properties": {
          "route": {"type": "string"},
          "limits": {"type": "array", "items": {"type": "object"}}
        }
      },
      "ValidationErrorItem": {
        "type": "object",
        "description": "One problem, as pydantic v2 reports it.",
        "required": ["type", "loc", "msg", "input"],
        "properties": {
          "type": {"type": "string", "examples": ["missing"]},
          "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
          "msg": {"type": "string"},
          "input": {},
          "ctx": {"type": "object"}
        }
      },
      "MlflowError": {
        "type": "object",
        "description": "FastAPI's error shape (MLflow routes, unknown paths): `detail` is a message, a validation list, or an upstream error body passed through.",
        "required": ["detail"],
        "properties": {
          "detail": {
            "anyOf": [
              {"type": "string"},
              {"type": "array", "items": {"$ref": "#/components/schemas/ValidationErrorItem"}},
              {"type": "object"}
            ]
          }
        }
      },
      "MlflowValidationError": {
        "type": "object",
        "required": ["detail"],
        "properties": {
          "detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationErrorItem"}}
        }
      },
      "MlflowRateLimitError": {
        "type": "object",
        "description": "MLflow's 429 body: the key is `error`, not `detail`.",
        "required": ["error"],
        "properties": {"error": {"type": "string"}}
      },
      "OpenAIError": {
        "type": "object",
        "description": "OpenAI's error shape (`/v1/*`).",
        "required": ["error"],
        "properties": {
          "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
              "message": {"type": "string"},
              "type": {"type": "string", "examples": ["invalid_request_error", "authentication_error", "not_found_error", "rate_limit_error", "server_error", "upstream_error"]},
              "param": {"type": ["string", "null"], "description": "The field, when exactly one field failed validation."},
              "code": {"type": ["string", "null"], "examples": ["model_not_found", "rate_limit_exceeded"]}
            }
          }
        }
      }
    },
    "responses": {
      "MlflowError": {
        "description": "An error in FastAPI's shape: a wrong method (405), an upstream error passed through with its status, an unreachable or failing upstream (502, 504), and the other statuses of the gateway's API reference (docs/api.md).",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/MlflowError"},
            "examples": {
              "method_not_allowed": {"summary": "405", "value": {"detail": "Method Not Allowed"}},
              "upstream_timeout": {"summary": "504", "value": {"detail": "Endpoint 'chat': the upstream api.openai.com did not respond within 300 s"}}
            }
          }
        }
      },
      "MlflowNotFound": {
        "description": "Not found.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/MlflowError"},
            "example": {"detail": "Not Found"}
          }
        }
      },
      "MlflowValidationError": {
        "description": "The body failed validation; every problem is listed at once.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/MlflowValidationError"},
            "example": {"detail": [
              {"type": "less_than_equal", "loc": ["body", "temperature"], "msg": "Input should be less than or equal to 2", "input": 3, "ctx": {"le": 2.0}},
              {"type": "missing", "loc": ["body", "messages"], "msg": "Field required", "input": {"temperature": 3}}
            ]}
          }
        }
      },
      "MlflowRateLimited": {
        "description": "The endpoint's rate limit is exhausted for this window.",
        "headers": {
          "Retry-After": {"$ref": "#/components/headers/Retry-After"},
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"},
          "X-RateLimit-Reset": {"$ref": "#/components/headers/X-RateLimit-Reset"}
        },
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/MlflowRateLimitError"},
            "example": {"error": "Rate limit exceeded: 10 per 1 minute"}
          }
        }
      },
      "OpenAIError": {
        "description": "An error in OpenAI's shape: a wrong method (405), an upstream error passed through with its status, an unreachable or failing upstream (502, 504), and the other statuses of the gateway's API reference (docs/api.md).",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/OpenAIError"},
            "examples": {
              "method_not_allowed": {"summary": "405", "value": {"error": {"message": "Method Not Allowed", "type": "invalid_request_error", "param": null, "code": null}}},
              "upstream": {"summary": "an upstream 429 passed through", "value": {"error": {"message": "Rate limit reached for gpt-4o-mini", "type": "rate_limit_error", "param": null, "code": null}}}
            }
          }
        }
      },
      "OpenAIBadRequest": {
        "description": "`model` is missing, not a string, or names an endpoint or route of another type.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/OpenAIError"},
            "example": {"error": {"message": "Missing required 'model' parameter in request body: it names the endpoint to use", "type": "invalid_request_error", "param": null, "code": null}}
          }
        }
      },
      "OpenAIModelNotFound": {
        "description": "No endpoint or traffic route has that name.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/OpenAIError"},
            "example": {"error": {"message": "The model 'gpt-5' does not exist: no endpoint or route has that name.", "type": "invalid_request_error", "param": null, "code": "model_not_found"}}
          }
        }
      },
      "OpenAIValidationError": {
        "description": "The body failed validation: the problems joined as `loc: msg; ...`.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/OpenAIError"},
            "example": {"error": {"message": "body.temperature: Input should be less than or equal to 2", "type": "invalid_request_error", "param": "temperature", "code": null}}
          }
        }
      },
      "OpenAIRateLimited": {
        "description": "The endpoint's rate limit is exhausted for this window.",
        "headers": {
          "Retry-After": {"$ref": "#/components/headers/Retry-After"},
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"},
          "X-RateLimit-Reset": {"$ref": "#/components/headers/X-RateLimit-Reset"}
        },
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/OpenAIError"},
            "example": {"error": {"message": "Rate limit exceeded: 10 per 1 minute", "type": "rate_limit_error", "param": null, "code": "rate_limit_exceeded"}}
          }
        }
      }
    },
    "parameters": {
      "PageToken": {
        "name": "page_token",
        "in": "query",
        "required": false,
        "description": "The previous page's `next_page_token` (base64 of `{\"index\": N}`); a token that does not decode is a 400.",
        "schema": {"type": "string"},
        "example": "eyJpbmRleCI6IDMwMDB9"
      }
    },
    "headers": {
      "X-Request-Id": {"description": "The request's id: the client's `X-Request-Id` when it is 1 to 128 characters from `[A-Za-z0-9._:-]`, else a new UUID.", "schema": {"type": "string"}},
      "X-Gateway-Endpoint": {"description": "The endpoint that answered (another one than requested after a fallback).", "schema": {"type": "string"}},
      "X-Gateway-Attempts": {"description": "Upstream attempts made (retries and fallbacks included).", "schema": {"type": "integer"}},
      "X-MLflow-Gateway-Duration-Ms": {"description": "Milliseconds spent on the invocation.", "schema": {"type": "number"}},
      "X-MLflow-Gateway-Overhead-Duration-Ms": {"description": "Milliseconds not spent waiting for upstreams.", "schema": {"type": "number"}},
      "X-RateLimit-Limit": {"description": "Endpoints with a limit: calls per window.", "schema": {"type": "integer"}},
      "X-RateLimit-Remaining": {"description": "Endpoints with a limit: calls left in this window.", "schema": {"type": "integer"}},
      "X-RateLimit-Reset": {"description": "Endpoints with a limit: seconds until the window ends.", "schema": {"type": "integer"}},
      "Retry-After": {"description": "Seconds until the window ends.", "schema": {"type": "integer"}},
      "Cache-Control": {"description": "How long a browser may keep the file.", "schema": {"type": "string"}}
    }
  }
})json";

// ---- Operations, per RouteId: their `responses` (and `requestBody`) as JSON text. The error
// response of the route's path family (`default`) is added by operation(), for every route.

constexpr std::string_view kHealthResponses = R"json({
  "200": {"description": "The server is up.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}, "example": {"status": "OK"}}}}
})json";

constexpr std::string_view kRootResponses = R"json({
  "307": {"description": "A redirect to the Swagger UI page.", "headers": {"Location": {"description": "`/docs`", "schema": {"type": "string"}}}}
})json";

constexpr std::string_view kDocsResponses = R"json({
  "200": {"description": "Swagger UI, rendering `/openapi.json`.", "content": {"text/html": {"schema": {"type": "string"}}}}
})json";

constexpr std::string_view kRedocResponses = R"json({
  "200": {"description": "ReDoc, rendering `/openapi.json`.", "content": {"text/html": {"schema": {"type": "string"}}}}
})json";

constexpr std::string_view kOpenApiResponses = R"json({
  "200": {"description": "This document.", "content": {"application/json": {"schema": {"type": "object"}}}}
})json";

constexpr std::string_view kFaviconResponses = R"json({
  "200": {
    "description": "Swagger UI's 32x32 icon, as PNG.",
    "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}},
    "content": {"image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}}}
  }
})json";

constexpr std::string_view kStaticAssetResponses = R"json({
  "200": {
    "description": "The file. The pages ask for it with `?v=<package version>`, so it may be cached for good.",
    "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}},
    "content": {"text/javascript": {"schema": {"type": "string"}}, "text/css": {"schema": {"type": "string"}}}
  },
  "404": {"$ref": "#/components/responses/MlflowNotFound"}
})json";

constexpr std::string_view kMetricsResponses = R"json({
  "200": {
    "description": "The Prometheus text exposition format, version 0.0.4 (`text/plain; version=0.0.4`): request, upstream, rate-limit, circuit-breaker and connection series.",
    "content": {"text/plain": {"schema": {"type": "string"}, "example": "# TYPE gateway_open_connections gauge\ngateway_open_connections 3\n"}}
  },
  "404": {"description": "Started with `--metrics-port`: the metrics are served on that port only.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "Not Found"}}}}
})json";

constexpr std::string_view kV1ChatRequest = R"json({
  "required": true,
  "content": {
    "application/json": {
      "schema": {"$ref": "#/components/schemas/OpenAIChatRequest"},
      "examples": {
        "chat": {"summary": "A chat completion", "value": {"model": "chat", "messages": [{"role": "user", "content": "Hello"}], "temperature": 0.2, "max_tokens": 50}},
        "stream": {"summary": "Streamed, with usage", "value": {"model": "chat", "messages": [{"role": "user", "content": "Hello"}], "stream": true, "stream_options": {"include_usage": true}}}
      }
    }
  }
})json";

constexpr std::string_view kV1ChatResponses = R"json({
  "200": {
    "description": "The completion; with `\"stream\": true`, server-sent events (`ChatChunk`s, then `data: [DONE]`; a failure after the start sends one `StreamError` event instead).",
    "content": {
      "application/json": {
        "schema": {"$ref": "#/components/schemas/ChatResponse"},
        "example": {"id": "chatcmpl-abc123", "object": "chat.completion", "created": 1677858242, "model": "gpt-4o-mini", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!", "tool_calls": null, "refusal": null}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 13, "completion_tokens": 7, "total_tokens": 20}}
      },
      "text/event-stream": {
        "schema": {"type": "string"},
        "example": "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1677858242,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"finish_reason\":null,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello!\"}}]}\n\ndata: [DONE]\n\n"
      }
    }
  },
  "400": {"$ref": "#/components/responses/OpenAIBadRequest"},
  "404": {"$ref": "#/components/responses/OpenAIModelNotFound"},
  "422": {"$ref": "#/components/responses/OpenAIValidationError"},
  "429": {"$ref": "#/components/responses/OpenAIRateLimited"}
})json";

constexpr std::string_view kV1CompletionsRequest = R"json({
  "required": true,
  "content": {
    "application/json": {
      "schema": {"$ref": "#/components/schemas/OpenAICompletionsRequest"},
      "example": {"model": "completions", "prompt": "Say hi", "max_tokens": 20}
    }
  }
})json";

constexpr std::string_view kV1CompletionsResponses = R"json({
  "200": {
    "description": "The completion; with `\"stream\": true`, server-sent events (`CompletionsChunk`s, then `data: [DONE]`).",
    "content": {
      "application/json": {
        "schema": {"$ref": "#/components/schemas/CompletionsResponse"},
        "example": {"id": "cmpl-1", "object": "text_completion", "created": 1677858242, "model": "gpt-3.5-turbo-instruct", "choices": [{"index": 0, "text": "Hi", "finish_reason": "length"}], "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3}}
      },
      "text/event-stream": {
        "schema": {"type": "string"},
        "example": "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion_chunk\",\"created\":1677858242,\"model\":\"gpt-3.5-turbo-instruct\",\"choices\":[{\"index\":0,\"finish_reason\":null,\"text\":\"Hi\"}]}\n\ndata: [DONE]\n\n"
      }
    }
  },
  "400": {"$ref": "#/components/responses/OpenAIBadRequest"},
  "404": {"$ref": "#/components/responses/OpenAIModelNotFound"},
  "422": {"$ref": "#/components/responses/OpenAIValidationError"},
  "429": {"$ref": "#/components/responses/OpenAIRateLimited"}
})json";

constexpr std::string_view kV1EmbeddingsRequest = R"json({
  "required": true,
  "content": {
    "application/json": {
      "schema": {"$ref": "#/components/schemas/OpenAIEmbeddingsRequest"},
      "example": {"model": "embeddings", "input": ["a", "b"], "encoding_format": "float"}
    }
  }
})json";

constexpr std::string_view kV1EmbeddingsResponses = R"json({
  "200": {
    "description": "One embedding per input, in input order.",
    "content": {
      "application/json": {
        "schema": {"$ref": "#/components/schemas/EmbeddingsResponse"},
        "example": {"object": "list", "data": [{"object": "embedding", "embedding": [0.1, 0.2], "index": 0}, {"object": "embedding", "embedding": [0.3, 0.4], "index": 1}], "model": "text-embedding-3-small", "usage": {"prompt_tokens": 2, "total_tokens": 2}}
      }
    }
  },
  "400": {"$ref": "#/components/responses/OpenAIBadRequest"},
  "404": {"$ref": "#/components/responses/OpenAIModelNotFound"},
  "422": {"$ref": "#/components/responses/OpenAIValidationError"},
  "429": {"$ref": "#/components/responses/OpenAIRateLimited"}
})json";

constexpr std::string_view kV1ModelsResponses = R"json({
  "200": {
    "description": "Every endpoint in config order, then every traffic route by name.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelList"}, "example": {"object": "list", "data": [{"id": "chat", "object": "model", "created": 1764662400, "owned_by": "openai"}, {"id": "chat-ab", "object": "model", "created": 1764662400, "owned_by": "gateway"}]}}}
  }
})json";

constexpr std::string_view kV1ModelResponses = R"json({
  "200": {"description": "The endpoint or traffic route as a model.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Model"}, "example": {"id": "chat", "object": "model", "created": 1764662400, "owned_by": "openai"}}}},
  "404": {"description": "No endpoint or traffic route has that name.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}, "example": {"error": {"message": "The model 'nope' does not exist", "type": "invalid_request_error", "param": null, "code": "model_not_found"}}}}}
})json";

constexpr std::string_view kInvokeRequest = R"json({
  "required": true,
  "description": "The endpoint type's body. A `model` key is refused (422): the endpoint already names its model.",
  "content": {
    "application/json": {
      "schema": {"oneOf": [{"$ref": "#/components/schemas/ChatRequest"}, {"$ref": "#/components/schemas/CompletionsRequest"}, {"$ref": "#/components/schemas/EmbeddingsRequest"}]},
      "examples": {
        "chat": {"summary": "llm/v1/chat (endpoint `chat`)", "value": {"messages": [{"role": "user", "content": "Hello"}], "temperature": 0.2, "max_tokens": 50}},
        "completions": {"summary": "llm/v1/completions (endpoint `completions`)", "value": {"prompt": "Say hi"}},
        "embeddings": {"summary": "llm/v1/embeddings (endpoint `embeddings`)", "value": {"input": ["a", "b"]}}
      }
    }
  }
})json";

constexpr std::string_view kInvokeResponses = R"json({
  "200": {
    "description": "The endpoint type's response. With `\"stream\": true` (chat, completions): server-sent events, one chunk per `data:` event; the body simply ends after the last one (MLflow's framing), and a failure after the start sends one `StreamError` event.",
    "content": {
      "application/json": {
        "schema": {"oneOf": [{"$ref": "#/components/schemas/ChatResponse"}, {"$ref": "#/components/schemas/CompletionsResponse"}, {"$ref": "#/components/schemas/EmbeddingsResponse"}]},
        "examples": {
          "chat": {"summary": "llm/v1/chat", "value": {"id": "chatcmpl-abc123", "object": "chat.completion", "created": 1677858242, "model": "gpt-4o-mini", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!", "tool_calls": null, "refusal": null}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 13, "completion_tokens": 7, "total_tokens": 20}}},
          "completions": {"summary": "llm/v1/completions", "value": {"id": "cmpl-1", "object": "text_completion", "created": 1677858242, "model": "gpt-3.5-turbo-instruct", "choices": [{"index": 0, "text": "Hi", "finish_reason": "length"}], "usage": {"prompt_tokens": 2, "completion_tokens": 1, "total_tokens": 3}}},
          "embeddings": {"summary": "llm/v1/embeddings", "value": {"object": "list", "data": [{"object": "embedding", "embedding": [0.1, 0.2], "index": 0}], "model": "text-embedding-3-small", "usage": {"prompt_tokens": 2, "total_tokens": 2}}}
        }
      },
      "text/event-stream": {
        "schema": {"type": "string"},
        "example": "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1677858242,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"delta\":{\"role\":\"assistant\",\"content\":\"Hello!\"}}]}\n\n"
      }
    }
  },
  "404": {"description": "No endpoint or traffic route has that name.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "Not Found"}}}},
  "422": {"$ref": "#/components/responses/MlflowValidationError"},
  "429": {"$ref": "#/components/responses/MlflowRateLimited"}
})json";

constexpr std::string_view kPageTokenParameter =
    R"json([{"$ref": "#/components/parameters/PageToken"}])json";

constexpr std::string_view kListEndpointsResponses = R"json({
  "200": {
    "description": "One page of endpoints (up to 3000), in config order; traffic routes are not listed.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EndpointList"}, "example": {"endpoints": [{"name": "chat", "endpoint_type": "llm/v1/chat", "model": {"name": "gpt-4o-mini", "provider": "openai"}, "endpoint_url": "/gateway/chat/invocations", "limit": {"calls": 10, "key": null, "renewal_period": "minute"}}], "next_page_token": null}}}
  },
  "400": {"description": "A page token that does not decode.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "Invalid page_token 'garbage!'"}}}}
})json";

constexpr std::string_view kListLegacyRoutesResponses = R"json({
  "200": {
    "description": "One page of endpoints in the deprecated route shape.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LegacyRouteList"}, "example": {"routes": [{"name": "chat", "route_type": "llm/v1/chat", "model": {"name": "gpt-4o-mini", "provider": "openai"}, "route_url": "/gateway/chat/invocations", "limit": null}], "next_page_token": null}}}
  },
  "400": {"description": "A page token that does not decode.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "Invalid page_token 'garbage!'"}}}}
})json";

constexpr std::string_view kUsageParameters = R"json([
  {"name": "period", "in": "query", "required": false, "description": "The calendar period (UTC) reported, with the one before it. Default month.", "schema": {"type": "string", "enum": ["day", "week", "month"]}},
  {"name": "key", "in": "query", "required": false, "description": "Only this client key's rows. A key that is not `admin` always sees only its own.", "schema": {"type": "string"}},
  {"name": "endpoint", "in": "query", "required": false, "description": "Only this endpoint's rows.", "schema": {"type": "string"}}
])json";

constexpr std::string_view kUsageResponses = R"json({
  "200": {
    "description": "Requests, tokens and spend per client key and endpoint, for the current and the previous period. `usd_micros` is exact (integer micro-dollars); `usd` is the same amount for display.",
    "content": {"application/json": {"schema": {"type": "object", "required": ["period", "filters", "current", "previous"], "properties": {
      "period": {"type": "string", "enum": ["day", "week", "month"]},
      "filters": {"type": "object", "properties": {"key": {"type": ["string", "null"]}, "endpoint": {"type": ["string", "null"]}}},
      "current": {"$ref": "#/components/schemas/UsagePeriod"},
      "previous": {"$ref": "#/components/schemas/UsagePeriod"}}},
      "example": {"period": "month", "filters": {"key": null, "endpoint": null}, "current": {"start": "2026-12-01T00:00:00Z", "end": "2027-01-01T00:00:00Z", "usage": [{"key": "team-a", "endpoint": "chat", "requests": 3, "input_tokens": 30, "output_tokens": 12, "usd": 0.000012, "usd_micros": 12}], "total": {"requests": 3, "input_tokens": 30, "output_tokens": 12, "usd": 0.000012, "usd_micros": 12}}, "previous": {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z", "usage": [], "total": {"requests": 0, "input_tokens": 0, "output_tokens": 0, "usd": 0, "usd_micros": 0}}}}}
  },
  "400": {"description": "A period other than day, week or month.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "Invalid period 'year': use day, week or month"}}}},
  "403": {"description": "A key that is not `admin` asked for another key's usage.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}}}},
  "503": {"description": "The usage store (Redis) cannot be reached.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "The usage store cannot be reached"}}}}
})json";

constexpr std::string_view kStatsResponses = R"json({
  "200": {
    "description": "Live figures of every endpoint the caller may use (docs/console.md): configured limits, the caller's current rate-limit count, circuit-breaker state, and cumulative requests by status class, tokens and histograms (counts per bucket, the bounds in `buckets`). A client takes differences between two polls for rates and quantiles. Recent config reloads are listed for chart markers.",
    "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}},
    "content": {"application/json": {"schema": {"type": "object", "required": ["now", "started", "reloads", "buckets", "endpoints", "routes"], "properties": {
      "now": {"type": "number", "description": "UNIX seconds"},
      "started": {"type": "number"},
      "config_sha256": {"type": "string"},
      "reloads": {"type": "array", "items": {"type": "object", "properties": {"time": {"type": "number"}, "ok": {"type": "boolean"}}}},
      "buckets": {"type": "object", "properties": {"seconds": {"type": "array", "items": {"type": "number"}}, "overhead": {"type": "array", "items": {"type": "number"}}}},
      "endpoints": {"type": "array", "items": {"type": "object"}},
      "routes": {"type": "array", "items": {"type": "object"}}}},
      "example": {"now": 1764694800.5, "started": 1764690000.0, "config_sha256": "9f86d081884c7d65", "reloads": [], "buckets": {"seconds": [0.005, 0.01], "overhead": [0.000025, 0.00005]}, "endpoints": [{"name": "chat", "endpoint_type": "llm/v1/chat", "provider": "mock", "model": "mock-chat", "limit": {"calls": 600, "renewal_period": "minute"}, "limit_usage": {"used": 3, "remaining": 597, "resets_in": 41.5}, "tokens": null, "budget": null, "breaker": null, "requests": {"1xx": 0, "2xx": 3, "3xx": 0, "4xx": 0, "5xx": 0}, "tokens_in": 30, "tokens_out": 12, "latency": {"counts": [3, 0, 0], "sum": 0.004, "count": 3}, "overhead": {"counts": [0, 3, 0], "sum": 0.0001, "count": 3}, "ttft": {"counts": [0, 0, 0], "sum": 0, "count": 0}}], "routes": []}}}
  }
})json";

constexpr std::string_view kConsoleResponses = R"json({
  "200": {
    "description": "The console's page or one of its files (gzip-compressed when the client accepts it). The page is revalidated on every load; the files' names carry a hash of their content, so they are cached for good.",
    "headers": {"Cache-Control": {"$ref": "#/components/headers/Cache-Control"}},
    "content": {"text/html": {"schema": {"type": "string"}}, "text/javascript": {"schema": {"type": "string"}}, "text/css": {"schema": {"type": "string"}}}
  },
  "404": {"$ref": "#/components/responses/MlflowNotFound"}
})json";

constexpr std::string_view kConsoleRedirectResponses = R"json({
  "307": {"description": "To `ui/` (relative): the console's page.", "headers": {"Location": {"schema": {"type": "string"}}}},
  "404": {"$ref": "#/components/responses/MlflowNotFound"}
})json";

constexpr std::string_view kSetLimitsRequest = R"json({
  "required": true,
  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SetLimitsRequest"}, "example": {"route": "chat", "limits": [{"calls": 10, "renewal_period": "minute"}]}}}
})json";

constexpr std::string_view kSetLimitsResponses = R"json({
  "422": {"$ref": "#/components/responses/MlflowValidationError"},
  "501": {"description": "Not available (as in MLflow).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "The set_limits API is not available yet."}}}}
})json";

constexpr std::string_view kGetLimitsResponses = R"json({
  "501": {"description": "Not available (as in MLflow).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "The get_limits API is not available yet."}}}}
})json";

constexpr std::string_view kGetEndpointResponses = R"json({
  "200": {"description": "The endpoint (no secrets).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Endpoint"}, "example": {"name": "chat", "endpoint_type": "llm/v1/chat", "model": {"name": "gpt-4o-mini", "provider": "openai"}, "endpoint_url": "/gateway/chat/invocations", "limit": {"calls": 10, "key": null, "renewal_period": "minute"}}}}},
  "404": {"description": "No endpoint of that name (traffic routes are not endpoints).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "The endpoint 'nope' is not present or active on the server. Please verify the endpoint name."}}}}
})json";

constexpr std::string_view kGetLegacyRouteResponses = R"json({
  "200": {"description": "The endpoint in the deprecated route shape.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LegacyRoute"}}}},
  "404": {"description": "No endpoint of that name.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "The route 'nope' is not present or active on the server. Please verify the route name."}}}}
})json";

constexpr std::string_view kGetTrafficRouteResponses = R"json({
  "200": {"description": "The traffic route.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TrafficRoute"}, "example": {"name": "chat-ab", "task_type": "llm/v1/chat", "destinations": [{"name": "chat", "traffic_percentage": 80}, {"name": "chat2", "traffic_percentage": 20}], "routing_strategy": "TRAFFIC_SPLIT"}}}},
  "404": {"description": "No traffic route of that name.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MlflowError"}, "example": {"detail": "The route 'nope' is not present or active on the server. Please verify the route name."}}}}
})json";

constexpr std::string_view kOpenAITag = "OpenAI-compatible";
constexpr std::string_view kInvocationsTag = "Invocations";
constexpr std::string_view kEndpointsTag = "Endpoints";
constexpr std::string_view kLimitsTag = "Limits";
constexpr std::string_view kOperationsTag = "Operations";
constexpr std::string_view kDocumentationTag = "Documentation";

// What the documentation says about one RouteId's operations.
struct OperationDoc {
  std::string_view id;  // operationId; a RouteId on several paths gets the path appended
  std::string_view tag;
  std::string_view summary;
  std::string_view description;
  std::string_view capture;     // the path parameter's description (routes with `{name}`)
  std::string_view example;     // and its example (an endpoint of config/example.yaml)
  std::string_view parameters;  // JSON array of further parameters, or ""
  std::string_view request;     // JSON requestBody, or ""
  std::string_view responses;   // JSON responses, without the family's `default`
  bool invocation = false;      // the 200 carries the invocation headers
};

// One case per RouteId and no default: a RouteId added to router.h does not build until it is
// documented here (-Werror=switch).
// NOLINTNEXTLINE(readability-function-size): a data table, one entry per RouteId
OperationDoc operation_doc(RouteId id) {
  switch (id) {
    case RouteId::Health:
      return {.id = "health",
              .tag = kOperationsTag,
              .summary = "Health check",
              .description = "Answers while the server runs.",
              .responses = kHealthResponses};
    case RouteId::Root:
      return {.id = "root",
              .tag = kDocumentationTag,
              .summary = "Redirect to /docs",
              .responses = kRootResponses};
    case RouteId::Docs:
      return {.id = "swagger_ui",
              .tag = kDocumentationTag,
              .summary = "Swagger UI",
              .description = "This document in Swagger UI (embedded: works offline).",
              .responses = kDocsResponses};
    case RouteId::Redoc:
      return {.id = "redoc",
              .tag = kDocumentationTag,
              .summary = "ReDoc",
              .description = "This document in ReDoc (embedded: works offline).",
              .responses = kRedocResponses};
    case RouteId::OpenApi:
      return {.id = "openapi",
              .tag = kDocumentationTag,
              .summary = "OpenAPI document",
              .description = "This OpenAPI 3.1 document, generated from the gateway's route table.",
              .responses = kOpenApiResponses};
    case RouteId::Favicon:
      return {.id = "favicon",
              .tag = kDocumentationTag,
              .summary = "Icon",
              .responses = kFaviconResponses};
    case RouteId::StaticAsset:
      return {.id = "static_asset",
              .tag = kDocumentationTag,
              .summary = "A file of the documentation pages",
              .description =
                  "The JavaScript and CSS that /docs and /redoc load, embedded in the "
                  "gateway.",
              .capture = "The file name.",
              .responses = kStaticAssetResponses};
    case RouteId::Metrics:
      return {.id = "metrics",
              .tag = kOperationsTag,
              .summary = "Prometheus metrics",
              .description = "The gateway's metrics, for a Prometheus scrape.",
              .responses = kMetricsResponses};
    case RouteId::V1Chat:
      return {.id = "create_chat_completion",
              .tag = kOpenAITag,
              .summary = "Chat completion (OpenAI)",
              .description = "`model` names an `llm/v1/chat` endpoint or traffic route.",
              .request = kV1ChatRequest,
              .responses = kV1ChatResponses,
              .invocation = true};
    case RouteId::V1Completions:
      return {.id = "create_completion",
              .tag = kOpenAITag,
              .summary = "Completion (OpenAI)",
              .description = "`model` names an `llm/v1/completions` endpoint or traffic route.",
              .request = kV1CompletionsRequest,
              .responses = kV1CompletionsResponses,
              .invocation = true};
    case RouteId::V1Embeddings:
      return {.id = "create_embeddings",
              .tag = kOpenAITag,
              .summary = "Embeddings (OpenAI)",
              .description = "`model` names an `llm/v1/embeddings` endpoint or traffic route.",
              .request = kV1EmbeddingsRequest,
              .responses = kV1EmbeddingsResponses,
              .invocation = true};
    case RouteId::V1Models:
      return {.id = "list_models",
              .tag = kOpenAITag,
              .summary = "List models (OpenAI)",
              .description = "Every name a `/v1` call can use as `model`.",
              .responses = kV1ModelsResponses};
    case RouteId::V1Model:
      return {.id = "retrieve_model",
              .tag = kOpenAITag,
              .summary = "Retrieve a model (OpenAI)",
              .capture = "An endpoint or traffic route name.",
              .example = "chat",
              .responses = kV1ModelResponses};
    case RouteId::Invoke:
      return {.id = "invoke",
              .tag = kInvocationsTag,
              .summary = "Invoke an endpoint or traffic route",
              .description =
                  "The body and the response are those of the endpoint's type. A "
                  "traffic route picks one destination per request, by weight.",
              .capture =
                  "An endpoint or traffic route name (the example config has `chat`, "
                  "`completions` and `embeddings`).",
              .example = "chat",
              .request = kInvokeRequest,
              .responses = kInvokeResponses,
              .invocation = true};
    case RouteId::ListEndpoints:
      return {.id = "list_endpoints",
              .tag = kEndpointsTag,
              .summary = "List endpoints",
              .parameters = kPageTokenParameter,
              .responses = kListEndpointsResponses};
    case RouteId::ListLegacyRoutes:
      return {.id = "list_legacy_routes",
              .tag = kEndpointsTag,
              .summary = "List endpoints as routes (deprecated)",
              .parameters = kPageTokenParameter,
              .responses = kListLegacyRoutesResponses};
    case RouteId::Usage:
      return {.id = "usage_report",
              .tag = kLimitsTag,
              .summary = "Usage report",
              .description =
                  "Requests, input and output tokens and USD spent per client key "
                  "and endpoint (docs/access-and-budgets.md). Only answered "
                  "requests are counted.",
              .parameters = kUsageParameters,
              .responses = kUsageResponses};
    case RouteId::Stats:
      return {.id = "gateway_stats",
              .tag = kOperationsTag,
              .summary = "Live figures (console)",
              .description =
                  "What the console's endpoint list and dashboard show, as JSON: "
                  "limits, current counts, breaker states, cumulative counters and "
                  "histograms per endpoint, recent reloads.",
              .responses = kStatsResponses};
    case RouteId::ConsoleRedirect:
      return {.id = "console_redirect",
              .tag = kDocumentationTag,
              .summary = "Web console (redirect)",
              .description =
                  "Redirects to `ui/`, the console's page (relative, so that it "
                  "works behind a path prefix).",
              .responses = kConsoleRedirectResponses};
    case RouteId::Console:
      return {.id = "console",
              .tag = kDocumentationTag,
              .summary = "Web console",
              .description =
                  "The console's page (`/ui/`) and its files, embedded in the gateway "
                  "(docs/console.md). Served without a key; the page asks for one.",
              .capture = "The file name (it carries a hash of its content).",
              .responses = kConsoleResponses};
    case RouteId::SetLimits:
      return {.id = "set_limits",
              .tag = kLimitsTag,
              .summary = "Set limits (not available)",
              .description = "Checks the body's shape (422), then answers 501 as MLflow does.",
              .request = kSetLimitsRequest,
              .responses = kSetLimitsResponses};
    case RouteId::GetLimits:
      return {.id = "get_limits",
              .tag = kLimitsTag,
              .summary = "Get limits (not available)",
              .capture = "An endpoint name.",
              .example = "chat",
              .responses = kGetLimitsResponses};
    case RouteId::GetEndpoint:
      return {.id = "get_endpoint",
              .tag = kEndpointsTag,
              .summary = "Get an endpoint",
              .capture = "An endpoint name.",
              .example = "chat",
              .responses = kGetEndpointResponses};
    case RouteId::GetLegacyRoute:
      return {.id = "get_legacy_route",
              .tag = kEndpointsTag,
              .summary = "Get an endpoint as a route (deprecated)",
              .capture = "An endpoint name.",
              .example = "chat",
              .responses = kGetLegacyRouteResponses};
    case RouteId::GetTrafficRoute:
      return {.id = "get_traffic_route",
              .tag = kEndpointsTag,
              .summary = "Get a traffic route",
              .capture = "A traffic route name.",
              .example = "chat-ab",
              .responses = kGetTrafficRouteResponses};
  }
  return {};  // not reached: every RouteId returns above
}

// "/api/2.0/gateway/limits/{name}" -> "api_2_0_gateway_limits_name": the path part of the
// operationId of a RouteId that serves several paths.
std::string slug(std::string_view path) {
  std::string out;
  for (char c : path) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (word)
      out += c;
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  if (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// The path parameter of a pattern's `{...}` capture; the documentation routes' list their files.
Json path_parameter(const RouteSpec& route, const OperationDoc& doc) {
  const auto open = route.pattern.find('{');
  const auto close = route.pattern.find('}', open);
  Json schema{{"type", "string"}};
  if (route.id == RouteId::StaticAsset) {
    Json names = Json::array();
    const std::string_view prefix = route.pattern.substr(0, open);
    for (const StaticAsset& a : static_assets()) {
      const std::string_view rest = a.path.substr(std::min(prefix.size(), a.path.size()));
      if (a.path.substr(0, prefix.size()) == prefix && rest.find('/') == std::string_view::npos)
        names.push_back(std::string(rest));
    }
    schema["enum"] = std::move(names);
  }
  Json param{{"name", std::string(route.pattern.substr(open + 1, close - open - 1))},
             {"in", "path"},
             {"required", true},
             {"description", std::string(doc.capture)},
             {"schema", std::move(schema)}};
  if (param["schema"].contains("enum") && !param["schema"]["enum"].empty())
    param["example"] = param["schema"]["enum"][0];
  else if (!doc.example.empty())
    param["example"] = std::string(doc.example);
  return param;
}

// Every inline response says X-Request-Id, and an invocation's 2xx its gateway headers.
void add_headers(Json& responses, bool invocation) {
  static constexpr std::array kInvocationHeaders{"X-Gateway-Endpoint",
                                                 "X-Gateway-Attempts",
                                                 "X-MLflow-Gateway-Duration-Ms",
                                                 "X-MLflow-Gateway-Overhead-Duration-Ms",
                                                 "X-RateLimit-Limit",
                                                 "X-RateLimit-Remaining",
                                                 "X-RateLimit-Reset"};
  auto ref = [](std::string_view name) {
    return Json{{"$ref", "#/components/headers/" + std::string(name)}};
  };
  for (auto& [status, response] : responses.items()) {
    if (response.contains("$ref")) continue;  // shared responses are described once
    Json& headers = response["headers"];
    headers["X-Request-Id"] = ref("X-Request-Id");
    if (invocation && status.front() == '2')
      for (const char* h : kInvocationHeaders) headers[h] = ref(h);
  }
}

Json operation(const RouteSpec& route, const OperationDoc& doc, std::string operation_id) {
  Json op;
  op["tags"] = Json::array({std::string(doc.tag)});
  op["summary"] = std::string(doc.summary);
  if (!doc.description.empty()) op["description"] = std::string(doc.description);
  op["operationId"] = std::move(operation_id);
  Json params = Json::array();
  if (route.pattern.find('{') != std::string_view::npos)
    params.push_back(path_parameter(route, doc));
  if (!doc.parameters.empty())
    for (Json& p : Json::parse(doc.parameters)) params.push_back(std::move(p));
  if (!params.empty()) op["parameters"] = std::move(params);
  if (!doc.request.empty()) op["requestBody"] = Json::parse(doc.request);
  Json responses = Json::parse(doc.responses);
  add_headers(responses, doc.invocation);
  // Errors in the shape errors_http.cpp gives the route's path family.
  responses["default"] =
      Json{{"$ref", route.family == PathFamily::OpenAI ? "#/components/responses/OpenAIError"
                                                       : "#/components/responses/MlflowError"}};
  op["responses"] = std::move(responses);
  return op;
}

// One path per table row, one operation per method it accepts; a later row with the same path
// and method is never matched by the router, so it is not described either.
Json paths_of(std::span<const RouteSpec> table) {
  std::array<int, 256> rows_per_id{};
  for (const RouteSpec& r : table) ++rows_per_id[static_cast<std::size_t>(r.id)];
  constexpr std::array<std::pair<Methods, const char*>, 2> kMethods{
      {{kGet, "get"}, {kPost, "post"}}};
  Json paths = Json::object();
  for (const RouteSpec& r : table) {
    const OperationDoc doc = operation_doc(r.id);
    Json& item = paths[std::string(r.pattern)];
    const bool several_methods = (r.methods & kGet) && (r.methods & kPost);
    for (const auto& [bit, method] : kMethods) {
      if (!(r.methods & bit) || item.contains(method)) continue;
      std::string id(doc.id);
      if (rows_per_id[static_cast<std::size_t>(r.id)] > 1) id += "_" + slug(r.pattern);
      if (several_methods) id += std::string("_") + method;
      item[method] = operation(r, doc, std::move(id));
    }
  }
  return paths;
}

}  // namespace

Json openapi_document() {
  Json doc = Json::parse(kDocument);
  doc["info"]["version"] = GW_VERSION;
  doc["paths"] = paths_of(route_table());
  return doc;
}

const std::string& openapi_text() {
  static const std::string text = to_text(openapi_document());
  return text;
}

}  // namespace gw
