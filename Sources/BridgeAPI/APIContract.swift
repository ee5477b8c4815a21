/// The HTTP/JSON API as an OpenAPI 3 document: every route, its parameters with their ranges
/// (those of `SpecBounds` and the router), every reply and every error reply. The daemon serves it
/// at `GET /v1/openapi.json`; the tests check the request and reply types against it and fuzz the
/// daemon from it, so a change to the API is a change to this text.
///
/// It is compiled in rather than a bundle resource: the binary is installed alone.
public enum APIContract {
    public static let document = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "wsbridge daemon API",
    "version": "1",
    "description": "The HTTP/JSON API of `wsbridge serve` on its Unix socket. The caller is the uid of the socket's peer (SO_PEERCRED); a job belongs to the uid that submitted it and only it, root or the admin group may see or change it. Every number has its range; a value outside it is refused with HTTP 400 and an error body naming the field. Every connection carries one request and is closed after the answer. The same API is served over TCP when `[api] listen` is set: there every request carries `Authorization: MUNGE <credential>`, a MUNGE credential whose payload is `wsbridge-api/1\\n<METHOD> <target>\\n<hex SHA-256 of the body>`; the caller is the credential's uid, and a request without a valid, unreplayed credential made for it is refused with HTTP 401 (`unauthenticated`)."
  },
  "servers": [{"url": "http://localhost"}],
  "paths": {
    "/v1/health": {
      "get": {
        "operationId": "health",
        "summary": "The daemon answers.",
        "responses": {
          "200": {"description": "alive", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/store": {
      "get": {
        "operationId": "storeIdentity",
        "summary": "The store's identity, which GRAM job ids carry.",
        "responses": {
          "200": {"description": "the identity", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StoreIdentity"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/openapi.json": {
      "get": {
        "operationId": "contract",
        "summary": "This document.",
        "responses": {
          "200": {"description": "the OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/jobs": {
      "post": {
        "operationId": "submit",
        "summary": "Submits jobs: a spec with `count` N becomes N jobs. Durable before it is acknowledged; repeating a submit with the same `idempotencyKey` returns the first one's ids.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubmitRequest"}}}},
        "responses": {
          "201": {
            "description": "recorded",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubmitReply"}}},
            "links": {
              "GetJob": {"operationId": "getJob", "parameters": {"id": "$response.body#/jobs/0/0"}},
              "WaitJob": {"operationId": "waitJob", "parameters": {"id": "$response.body#/jobs/0/0"}},
              "ExplainJob": {"operationId": "explainJob", "parameters": {"id": "$response.body#/jobs/0/0"}},
              "ActOnJob": {"operationId": "actOnJob", "parameters": {"id": "$response.body#/jobs/0/0"}},
              "JobEvents": {"operationId": "events", "parameters": {"job": "$response.body#/jobs/0/0"}}
            }
          },
          "400": {"$ref": "#/components/responses/SubmitRefused"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      },
      "get": {
        "operationId": "listJobs",
        "summary": "The caller's jobs (an admin's: everyone's), newest first in pages, each page oldest first; or the jobs named by `ids`.",
        "parameters": [
          {"name": "ids", "in": "query", "description": "Comma-separated job ids, at most 10000.", "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,17}(,[1-9][0-9]{0,17})*$"}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 10000, "default": 10000}},
          {"name": "before", "in": "query", "description": "Only jobs with ids below this one (the cursor of the next page).", "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 9223372036854775807}},
          {"name": "history", "in": "query", "description": "Present: each job with its transitions.", "allowEmptyValue": true, "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "jobs", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/JobStatus"}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/jobs/{id}": {
      "parameters": [{"$ref": "#/components/parameters/JobIDPath"}],
      "get": {
        "operationId": "getJob",
        "summary": "One job with its history.",
        "responses": {
          "200": {"description": "the job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobStatus"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/jobs/{id}/wait": {
      "parameters": [{"$ref": "#/components/parameters/JobIDPath"}],
      "get": {
        "operationId": "waitJob",
        "summary": "The job once it has ended, or as it is when `timeout` has passed.",
        "parameters": [
          {"name": "timeout", "in": "query", "description": "Seconds.", "schema": {"type": "number", "minimum": 0, "maximum": 300, "default": 30}}
        ],
        "responses": {
          "200": {"description": "the job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobStatus"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/jobs/{id}/explain": {
      "parameters": [{"$ref": "#/components/parameters/JobIDPath"}],
      "get": {
        "operationId": "explainJob",
        "summary": "Why the job is where it is (which limit holds a queued job).",
        "responses": {
          "200": {"description": "the explanation", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExplainReply"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/jobs/{id}/{action}": {
      "parameters": [
        {"$ref": "#/components/parameters/JobIDPath"},
        {"name": "action", "in": "path", "required": true, "schema": {"type": "string", "enum": ["cancel", "hold", "release", "suspend", "resume"]}}
      ],
      "post": {
        "operationId": "actOnJob",
        "summary": "Cancels, holds, releases, suspends or resumes a job.",
        "responses": {
          "200": {"description": "the job's state after the action", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobActionReply"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/clusters": {
      "post": {
        "operationId": "nextCluster",
        "summary": "A new HTCondor cluster number.",
        "responses": {
          "200": {"description": "the number", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ClusterReply"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/events": {
      "get": {
        "operationId": "events",
        "summary": "Events after a sequence number, of the caller's jobs (an admin's: all); waits up to `wait` seconds for the first one.",
        "parameters": [
          {"name": "after", "in": "query", "schema": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 9223372036854775807, "default": 0}},
          {"name": "wait", "in": "query", "description": "Seconds.", "schema": {"type": "number", "minimum": 0, "maximum": 60, "default": 0}},
          {"name": "job", "in": "query", "schema": {"$ref": "#/components/schemas/JobID"}}
        ],
        "responses": {
          "200": {"description": "events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventsReply"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/workspaces": {
      "get": {
        "operationId": "listWorkspaces",
        "summary": "Workspaces: an admin sees all, a user those running one of their jobs.",
        "responses": {
          "200": {"description": "workspaces", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/WorkspaceStatus"}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/workspaces/{workspace}": {
      "parameters": [{"name": "workspace", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}}],
      "get": {
        "operationId": "getWorkspace",
        "responses": {
          "200": {"description": "the workspace", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WorkspaceStatus"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      },
      "delete": {
        "operationId": "destroyWorkspace",
        "summary": "Destroys a workspace (admins only); its jobs are requeued.",
        "responses": {
          "200": {"description": "destroyed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DestroyedReply"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/workspaces/{workspace}/retune": {
      "parameters": [{"name": "workspace", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}}],
      "post": {
        "operationId": "retuneWorkspace",
        "summary": "Changes a running workspace's resources (admins only): every change live, or none (409 with the reasons).",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RetuneRequest"}}}},
        "responses": {
          "200": {"description": "retuned", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RetuneReply"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/hosts": {
      "get": {
        "operationId": "listHosts",
        "summary": "The libvirt hosts the classes name (admins only): whether each answers, whether it is drained, and our workspaces there.",
        "responses": {
          "200": {"description": "hosts", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/HostStatus"}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/hosts/drain": {
      "post": {
        "operationId": "drainHost",
        "summary": "Drains a host (admins only): it takes no new workspace; its guests running jobs move live to other hosts of their class, the others are destroyed.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HostRequest"}}}},
        "responses": {
          "200": {"description": "drained", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DrainReply"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/hosts/undrain": {
      "post": {
        "operationId": "undrainHost",
        "summary": "Lets a drained host take workspaces again (admins only).",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HostRequest"}}}},
        "responses": {
          "200": {"description": "undrained", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HostStatus"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/accounting": {
      "get": {
        "operationId": "accounting",
        "summary": "Accounting records of finished runs that ended in [since, until), oldest first: an admin's of everyone (or of `owner`), a user's of their own.",
        "parameters": [
          {"name": "since", "in": "query", "description": "Seconds since 1970.", "schema": {"type": "number", "minimum": 0, "maximum": 100000000000, "default": 0}},
          {"name": "until", "in": "query", "description": "Seconds since 1970.", "schema": {"type": "number", "minimum": 0, "maximum": 100000000000, "default": 100000000000}},
          {"name": "owner", "in": "query", "description": "A uid; only an admin may name another user's.", "schema": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295}}
        ],
        "responses": {
          "200": {"description": "records", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/AccountingRecord"}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/policy": {
      "get": {
        "operationId": "policy",
        "summary": "The settings in force and where they were read from.",
        "responses": {
          "200": {"description": "the policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PolicyReply"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    },
    "/v1/policy/reload": {
      "post": {
        "operationId": "reloadPolicy",
        "summary": "Reads the config file again (admins only); a bad file leaves the policy in force unchanged.",
        "responses": {
          "200": {"description": "the new policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PolicyReply"}}}},
          "400": {"$ref": "#/components/responses/BadConfig"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "408": {"$ref": "#/components/responses/Timeout"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/OverLimit"},
          "503": {"$ref": "#/components/responses/TooManyConnections"}
        }
      }
    }
  },
  "components": {
    "parameters": {
      "JobIDPath": {"name": "id", "in": "path", "required": true, "schema": {"$ref": "#/components/schemas/JobID"}}
    },
    "responses": {
      "BadRequest": {"description": "malformed request, or a query parameter out of its range (code bad-request)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "SubmitRefused": {"description": "the submit is refused: malformed (bad-request), a spec invalid or out of range (invalid-job), no class fits (unknown-class), or a file the owner cannot use (bad-directory, bad-executable, bad-stdin, bad-stdout)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "BadConfig": {"description": "the config file could not be used (bad-config), or a malformed request (bad-request)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "Forbidden": {"description": "the caller may not do this (code forbidden)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "NotFound": {"description": "no such job, workspace, action or endpoint (code not-found)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "Conflict": {"description": "the job or workspace is not in a state that allows this (code conflict)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "Timeout": {"description": "no complete request within api.idle_timeout_seconds (code timeout)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "TooLarge": {"description": "request body over api.max_request_bytes (code bad-request)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "OverLimit": {"description": "over api.requests_per_second_per_user, or over throttle.max_queued_per_owner (code over-limit)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}},
      "TooManyConnections": {"description": "over api.max_connections or api.max_connections_per_user (code too-many-connections), or, for a submit, the store cannot be written now (code store-unavailable: its disk is full or failing; jobs already accepted are safe)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIErrorBody"}}}}
    },
    "schemas": {
      "APIErrorBody": {
        "type": "object", "additionalProperties": false, "required": ["error", "code"],
        "properties": {
          "error": {"type": "string", "description": "One line a user can act on."},
          "code": {"type": "string", "enum": ["bad-request", "not-found", "forbidden", "invalid-job", "unknown-class", "bad-directory", "bad-executable", "executable-not-executable", "bad-stdin", "bad-stdout", "over-limit", "store-unavailable", "conflict", "bad-config", "timeout", "too-many-connections", "internal"]}
        }
      },
      "JobID": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 9223372036854775807},
      "JobState": {"type": "string", "enum": ["queued", "starting", "running", "suspended", "held", "done", "failed", "cancelled"]},
      "Health": {"type": "object", "additionalProperties": false, "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok"]}}},
      "ClusterReply": {"type": "object", "additionalProperties": false, "required": ["cluster"], "properties": {"cluster": {"type": "integer", "format": "int64", "minimum": 1}}},
      "DestroyedReply": {"type": "object", "additionalProperties": false, "required": ["destroyed"], "properties": {"destroyed": {"type": "string"}}},
      "SubmitRequest": {
        "type": "object", "additionalProperties": false, "required": ["specs"],
        "properties": {
          "specs": {"type": "array", "minItems": 1, "maxItems": 10000, "items": {"$ref": "#/components/schemas/JobSpec"}},
          "idempotencyKey": {"type": "string", "maxLength": 256}
        }
      },
      "SubmitReply": {
        "type": "object", "additionalProperties": false, "required": ["jobs"],
        "properties": {
          "jobs": {"type": "array", "items": {"type": "array", "items": {"$ref": "#/components/schemas/JobID"}}},
          "store": {"$ref": "#/components/schemas/StoreIdentity"}
        }
      },
      "StoreIdentity": {
        "type": "object", "additionalProperties": false, "required": ["id", "legacyJobIDsUpTo"],
        "description": "The store's identity: job ids handed to other systems (GRAM) are <id>.<job> beyond legacyJobIDsUpTo.",
        "properties": {
          "id": {"type": "string", "minLength": 36, "maxLength": 36},
          "legacyJobIDsUpTo": {"type": "integer", "format": "int64", "minimum": 0}
        }
      },
      "JobSpec": {
        "type": "object", "additionalProperties": false, "required": ["executable"],
        "properties": {
          "executable": {"type": "string", "minLength": 1},
          "arguments": {"type": "array", "items": {"type": "string"}},
          "environment": {"type": "object", "additionalProperties": {"type": "string"}},
          "directory": {"type": "string"},
          "stdin": {"type": "string"},
          "stdout": {"type": "string"},
          "stderr": {"type": "string"},
          "count": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1, "description": "The site's api.max_count may lower the maximum."},
          "resources": {"$ref": "#/components/schemas/ResourceRequest"},
          "workspace": {"$ref": "#/components/schemas/WorkspaceSelector"},
          "maxRetries": {"type": "integer", "minimum": 0, "maximum": 1000},
          "hold": {"type": "boolean", "default": false},
          "holdReason": {"type": "string"},
          "priority": {"type": "integer", "minimum": -1000000, "maximum": 1000000, "default": 0},
          "origin": {"$ref": "#/components/schemas/JobOrigin"},
          "transfer": {"$ref": "#/components/schemas/FileTransfer"},
          "vm": {"$ref": "#/components/schemas/VMDescription"}
        }
      },
      "VMDescription": {
        "type": "object", "additionalProperties": false, "required": ["hypervisor", "memoryMB", "vcpus", "disks", "networking", "outputDisks"],
        "description": "The job is a VM of the user's own (HTCondor universe = vm); it ends when the guest powers off.",
        "properties": {
          "hypervisor": {"type": "string", "enum": ["kvm", "xen"]},
          "memoryMB": {"type": "integer", "minimum": 1, "maximum": 16777216},
          "vcpus": {"type": "integer", "minimum": 1, "maximum": 4096},
          "disks": {"type": "array", "minItems": 1, "maxItems": 26, "items": {"$ref": "#/components/schemas/VMDisk"}},
          "networking": {"type": "boolean"},
          "macAddress": {"type": "string", "pattern": "^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$"},
          "outputDisks": {"type": "boolean", "description": "The changed writable images come back into the job's directory (vm_no_output_vm = false)."},
          "kernel": {"type": "string", "pattern": "^/", "maxLength": 4096},
          "initrd": {"type": "string", "pattern": "^/", "maxLength": 4096},
          "kernelArguments": {"type": "string", "maxLength": 4096}
        }
      },
      "VMDisk": {
        "type": "object", "additionalProperties": false, "required": ["file", "device", "writable"],
        "properties": {
          "file": {"type": "string", "pattern": "^/", "maxLength": 4096},
          "device": {"type": "string", "pattern": "^[a-z0-9]{2,8}$"},
          "writable": {"type": "boolean"},
          "format": {"type": "string", "enum": ["raw", "qcow2"]}
        }
      },
      "FileTransfer": {
        "type": "object", "additionalProperties": false,
        "description": "Files crossing into a workspace that does not see the host's files (a guest), and back.",
        "properties": {
          "inputs": {"type": "array", "maxItems": 10000, "items": {"type": "string", "pattern": "^/", "maxLength": 4096},
                     "description": "Absolute host paths; a directory with a trailing / copies its contents."},
          "outputs": {"type": "array", "maxItems": 10000, "items": {"type": "string", "maxLength": 4096},
                      "description": "Paths relative to the job's directory; absent: every file the run created or changed at the top."},
          "executable": {"type": "boolean", "default": false},
          "credential": {"type": "string", "pattern": "^/", "maxLength": 4096},
          "directoryFiles": {"type": "boolean", "default": false, "description": "Also every regular, non-hidden file at the top of the job's directory."}
        }
      },
      "ResourceRequest": {
        "type": "object", "additionalProperties": false,
        "properties": {
          "cpus": {"type": "integer", "minimum": 1, "maximum": 4096},
          "memoryMB": {"type": "integer", "minimum": 1, "maximum": 16777216},
          "minMemoryMB": {"type": "integer", "minimum": 1, "maximum": 16777216},
          "diskMB": {"type": "integer", "minimum": 1, "maximum": 1073741824},
          "wallTimeSeconds": {"type": "integer", "minimum": 1, "maximum": 315360000},
          "cpuTimeSeconds": {"type": "integer", "minimum": 1, "maximum": 315360000}
        }
      },
      "WorkspaceSelector": {
        "type": "object", "additionalProperties": false,
        "description": "None of the fields: the default class. `class`: that class. `requirements`: a ClassAd expression matched against the classes, `rank` ordering those that match.",
        "properties": {
          "class": {"type": "string"},
          "requirements": {"type": "string"},
          "rank": {"type": "string"}
        }
      },
      "JobOrigin": {
        "type": "object", "additionalProperties": false,
        "properties": {
          "kind": {"type": "string", "enum": ["cli", "gram", "condor"], "default": "cli"},
          "gram": {"$ref": "#/components/schemas/GRAMOrigin"},
          "condor": {"$ref": "#/components/schemas/CondorOrigin"}
        }
      },
      "GRAMOrigin": {
        "type": "object", "additionalProperties": false,
        "properties": {
          "jobType": {"type": "string"},
          "queue": {"type": "string"},
          "project": {"type": "string"},
          "contact": {"type": "string"},
          "userDN": {"type": "string", "maxLength": 1024, "pattern": "^[^\\n\\r]*$", "description": "The submitter's X.509 DN, for accounting: one line."}
        }
      },
      "CondorOrigin": {
        "type": "object", "additionalProperties": false,
        "properties": {
          "cluster": {"type": "integer", "format": "int64"},
          "proc": {"type": "integer", "format": "int64"},
          "ad": {"type": "object", "additionalProperties": {"type": "string"}},
          "userLog": {"type": "string"}
        }
      },
      "ExitStatus": {
        "type": "object", "additionalProperties": false,
        "description": "`exitCode` when the job exited, `signal` when a signal killed it.",
        "properties": {
          "exitCode": {"type": "integer", "format": "int32", "minimum": -2147483648, "maximum": 2147483647},
          "signal": {"type": "integer", "format": "int32", "minimum": -2147483648, "maximum": 2147483647}
        }
      },
      "Job": {
        "type": "object", "additionalProperties": false,
        "required": ["id", "spec", "owner", "state", "className", "submittedAt", "attempts", "failures"],
        "properties": {
          "id": {"$ref": "#/components/schemas/JobID"},
          "spec": {"$ref": "#/components/schemas/JobSpec"},
          "owner": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295},
          "state": {"$ref": "#/components/schemas/JobState"},
          "className": {"type": "string"},
          "submittedAt": {"type": "number"},
          "attempts": {"type": "integer", "minimum": 0},
          "failures": {"type": "integer", "minimum": 0},
          "workspaceID": {"type": "string"},
          "exit": {"$ref": "#/components/schemas/ExitStatus"},
          "reason": {"type": "string"},
          "notBefore": {"type": "number"},
          "startedAt": {"type": "number"},
          "endedAt": {"type": "number"},
          "stopping": {"$ref": "#/components/schemas/JobState"}
        }
      },
      "JobTransition": {
        "type": "object", "additionalProperties": false, "required": ["to", "at"],
        "properties": {
          "from": {"$ref": "#/components/schemas/JobState"},
          "to": {"$ref": "#/components/schemas/JobState"},
          "at": {"type": "number"},
          "reason": {"type": "string"}
        }
      },
      "JobStatus": {
        "type": "object", "additionalProperties": false, "required": ["job"],
        "properties": {
          "job": {"$ref": "#/components/schemas/Job"},
          "history": {"type": "array", "items": {"$ref": "#/components/schemas/JobTransition"}},
          "waiting": {"type": "string", "description": "For a queued job: which limit holds it."}
        }
      },
      "JobActionReply": {
        "type": "object", "additionalProperties": false, "required": ["job", "state"],
        "properties": {"job": {"$ref": "#/components/schemas/JobID"}, "state": {"$ref": "#/components/schemas/JobState"}}
      },
      "ExplainReply": {
        "type": "object", "additionalProperties": false, "required": ["job", "state", "explanation"],
        "properties": {"job": {"$ref": "#/components/schemas/JobID"}, "state": {"$ref": "#/components/schemas/JobState"}, "explanation": {"type": "string"}}
      },
      "EventsReply": {
        "type": "object", "additionalProperties": false, "required": ["events", "last"],
        "properties": {
          "events": {"type": "array", "items": {"$ref": "#/components/schemas/EventView"}},
          "last": {"type": "integer", "format": "int64", "minimum": 0}
        }
      },
      "EventView": {
        "type": "object", "additionalProperties": false, "required": ["seq", "at", "kind"],
        "properties": {
          "seq": {"type": "integer", "format": "int64", "minimum": 1},
          "at": {"type": "number"},
          "job": {"$ref": "#/components/schemas/JobID"},
          "workspace": {"type": "string"},
          "kind": {"type": "string"},
          "from": {"$ref": "#/components/schemas/JobState"},
          "to": {"$ref": "#/components/schemas/JobState"},
          "message": {"type": "string"}
        }
      },
      "WorkspaceState": {"type": "string", "enum": ["creating", "booting", "ready", "busy", "parking", "paused", "saved", "restoring", "draining", "destroying", "lost", "destroyed"]},
      "Enforcement": {
        "type": "object", "additionalProperties": false, "required": ["control", "mechanism", "effective", "detail"],
        "properties": {
          "control": {"type": "string"},
          "mechanism": {"type": "string"},
          "effective": {"type": "boolean"},
          "detail": {"type": "string"}
        }
      },
      "Workspace": {
        "type": "object", "additionalProperties": false,
        "required": ["id", "className", "provider", "state", "endpoint", "handle", "createdAt", "leaseExpiresAt", "lastUsedAt", "enforcement"],
        "properties": {
          "id": {"type": "string"},
          "className": {"type": "string"},
          "provider": {"type": "string"},
          "state": {"$ref": "#/components/schemas/WorkspaceState"},
          "pid": {"type": "integer", "format": "int32"},
          "endpoint": {"type": "string"},
          "handle": {"type": "string"},
          "createdAt": {"type": "number"},
          "leaseExpiresAt": {"type": "number"},
          "lastUsedAt": {"type": "number"},
          "enforcement": {"type": "array", "items": {"$ref": "#/components/schemas/Enforcement"}},
          "reason": {"type": "string"},
          "allocation": {"$ref": "#/components/schemas/ResourceAllocation"},
          "allocationNote": {"type": "string", "description": "What the last retune or config reload did to it, and why."},
          "imageDigest": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of the image it was made from."}
        }
      },
      "ResourceAllocation": {
        "type": "object", "additionalProperties": false, "required": ["memoryMB", "cpus", "cpuWeight"],
        "properties": {
          "memoryMB": {"type": "integer", "minimum": 16, "maximum": 16777216},
          "cpus": {"type": "integer", "minimum": 1, "maximum": 4096},
          "cpuWeight": {"type": "integer", "minimum": 1, "maximum": 10000},
          "cpuCapPercent": {"type": "integer", "minimum": 1, "maximum": 409600},
          "diskMB": {"type": "integer", "minimum": 1, "maximum": 1073741824},
          "bandwidthKBps": {"type": "integer", "minimum": 1, "maximum": 1073741824}
        }
      },
      "RetuneRequest": {
        "type": "object", "additionalProperties": false,
        "description": "Fields left out keep their value; cpuCapPercent 0 removes the cap.",
        "properties": {
          "memoryMB": {"type": "integer", "minimum": 16, "maximum": 16777216},
          "cpus": {"type": "integer", "minimum": 1, "maximum": 4096},
          "cpuWeight": {"type": "integer", "minimum": 1, "maximum": 10000},
          "cpuCapPercent": {"type": "integer", "minimum": 0, "maximum": 409600},
          "diskMB": {"type": "integer", "minimum": 1, "maximum": 1073741824},
          "bandwidthKBps": {"type": "integer", "minimum": 1, "maximum": 1073741824}
        }
      },
      "ResourceControl": {"type": "string", "enum": ["memory", "cpus", "cpu_weight", "cpu_cap", "disk", "bandwidth"]},
      "RetuneStep": {
        "type": "object", "additionalProperties": false, "required": ["control", "from", "to"],
        "properties": {
          "control": {"$ref": "#/components/schemas/ResourceControl"},
          "from": {"type": "string"},
          "to": {"type": "string"},
          "refusal": {"type": "string", "description": "Why it cannot change live; absent: it can."}
        }
      },
      "RetunePlan": {
        "type": "object", "additionalProperties": false, "required": ["from", "to", "steps"],
        "properties": {
          "from": {"$ref": "#/components/schemas/ResourceAllocation"},
          "to": {"$ref": "#/components/schemas/ResourceAllocation"},
          "steps": {"type": "array", "items": {"$ref": "#/components/schemas/RetuneStep"}}
        }
      },
      "RetuneReply": {
        "type": "object", "additionalProperties": false, "required": ["workspace", "plan", "allocation"],
        "properties": {
          "workspace": {"type": "string", "minLength": 1},
          "plan": {"$ref": "#/components/schemas/RetunePlan"},
          "allocation": {"$ref": "#/components/schemas/ResourceAllocation"}
        }
      },
      "HostStatus": {
        "type": "object", "additionalProperties": false, "required": ["uri", "provider", "classes", "workspaces", "foreign"],
        "properties": {
          "uri": {"type": "string", "minLength": 1},
          "provider": {"type": "string", "minLength": 1},
          "classes": {"type": "array", "items": {"type": "string"}},
          "drainedSince": {"type": "number", "description": "Drained since then; absent if not drained."},
          "unreachable": {"type": "string", "description": "Why the host did not answer; absent if it did."},
          "workspaces": {"type": "array", "items": {"$ref": "#/components/schemas/HostWorkspace"}},
          "foreign": {"type": "integer", "minimum": 0}
        }
      },
      "HostWorkspace": {
        "type": "object", "additionalProperties": false, "required": ["id", "state", "jobs"],
        "properties": {
          "id": {"type": "string", "minLength": 1},
          "state": {"type": "string", "minLength": 1},
          "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/JobID"}}
        }
      },
      "HostRequest": {
        "type": "object", "additionalProperties": false, "required": ["uri"],
        "properties": {"uri": {"type": "string", "minLength": 1, "maxLength": 4096}}
      },
      "DrainReply": {
        "type": "object", "additionalProperties": false, "required": ["host", "drainedSince", "moved", "destroyed", "notMoved"],
        "properties": {
          "host": {"type": "string", "minLength": 1},
          "drainedSince": {"type": "number"},
          "moved": {"type": "array", "items": {
            "type": "object", "additionalProperties": false, "required": ["workspace", "to", "seconds", "jobs"],
            "properties": {
              "workspace": {"type": "string", "minLength": 1},
              "to": {"type": "string", "minLength": 1},
              "seconds": {"type": "number", "minimum": 0},
              "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/JobID"}}
            }}},
          "destroyed": {"type": "array", "items": {"type": "string"}},
          "notMoved": {"type": "array", "items": {
            "type": "object", "additionalProperties": false, "required": ["workspace", "reason"],
            "properties": {"workspace": {"type": "string", "minLength": 1}, "reason": {"type": "string"}}}}
        }
      },
      "WorkspaceStatus": {
        "type": "object", "additionalProperties": false, "required": ["workspace", "slots", "jobs"],
        "properties": {
          "workspace": {"$ref": "#/components/schemas/Workspace"},
          "slots": {"type": "integer", "minimum": 1},
          "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/JobID"}},
          "host": {"type": "string", "minLength": 1, "maxLength": 255},
          "outdated": {"type": "boolean", "description": "Made from another image than its class's current one."}
        }
      },
      "PolicyReply": {
        "type": "object", "additionalProperties": false, "required": ["config", "loadedAt"],
        "properties": {
          "config": {"$ref": "#/components/schemas/BridgeConfig"},
          "source": {"type": "string", "description": "The file it was read from; absent for the built-in defaults."},
          "loadedAt": {"type": "number"},
          "workspaceChanges": {"type": "array", "items": {"type": "string"}, "description": "What the last load did to workspaces whose class changed: retuned in place, or draining and why."}
        }
      },
      "BridgeConfig": {
        "type": "object", "additionalProperties": false, "required": ["throttle", "api", "store", "metrics", "retry", "classes", "rootJobsRunAs"],
        "properties": {
          "throttle": {"$ref": "#/components/schemas/ThrottleLimits"},
          "api": {"$ref": "#/components/schemas/APILimits"},
          "store": {"$ref": "#/components/schemas/StoreSettings"},
          "metrics": {"$ref": "#/components/schemas/MetricsSettings"},
          "retry": {"$ref": "#/components/schemas/RetrySettings"},
          "classes": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/WorkspaceClass"}},
          "adminGroup": {"type": "string"},
          "rootJobsRunAs": {"type": "string"},
          "cgroupFavordynmods": {"type": "boolean", "description": "Ask the kernel for cheap cgroup joins at start; absent: yes."},
          "segDirectory": {"type": "string"},
          "logLevel": {"type": "string", "enum": ["trace", "debug", "info", "notice", "warning", "error", "critical"]},
          "accounting": {"$ref": "#/components/schemas/AccountingSettings"}
        }
      },
      "AccountingRecord": {
        "type": "object", "additionalProperties": false,
        "required": ["job", "attempt", "owner", "origin", "className", "workspace", "cores", "startedAt", "endedAt", "exit"],
        "properties": {
          "job": {"$ref": "#/components/schemas/JobID"},
          "attempt": {"type": "integer", "minimum": 0, "maximum": 2147483647},
          "owner": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 4294967295},
          "ownerName": {"type": "string"},
          "origin": {"type": "string", "enum": ["cli", "gram", "condor"]},
          "grid": {"$ref": "#/components/schemas/GridJob"},
          "className": {"type": "string"},
          "workspace": {"type": "string"},
          "host": {"type": "string"},
          "cores": {"type": "integer", "minimum": 1, "maximum": 1048576},
          "startedAt": {"type": "number"},
          "endedAt": {"type": "number"},
          "cpuSeconds": {"type": "number", "minimum": 0, "maximum": 1300000000000},
          "peakMemoryBytes": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 18014398509481984},
          "usageSource": {"type": "string"},
          "exit": {"$ref": "#/components/schemas/ExitStatus"}
        }
      },
      "GridJob": {
        "type": "object", "additionalProperties": false,
        "properties": {"jobID": {"type": "string"}, "userDN": {"type": "string"}, "fqan": {"type": "string"}}
      },
      "AccountingSettings": {
        "type": "object", "additionalProperties": false, "required": ["fileMode"],
        "properties": {
          "site": {"type": "string"},
          "apelDirectory": {"type": "string", "pattern": "^/"},
          "submitHost": {"type": "string"},
          "machineName": {"type": "string"},
          "benchmarkType": {"type": "string"},
          "benchmark": {"type": "number", "exclusiveMinimum": true, "minimum": 0},
          "blahLogPrefix": {"type": "string", "pattern": "^/"},
          "fileMode": {"type": "integer", "minimum": 0, "maximum": 511}
        }
      },
      "ThrottleLimits": {
        "type": "object", "additionalProperties": false, "required": ["maxRunning", "maxRunningPerOwner", "maxQueuedPerOwner", "startRate", "maxCreating"],
        "properties": {
          "maxRunning": {"type": "integer", "minimum": 1},
          "maxRunningPerOwner": {"type": "integer", "minimum": 1},
          "maxQueuedPerOwner": {"type": "integer", "minimum": 1},
          "startRate": {"type": "number", "exclusiveMinimum": true, "minimum": 0},
          "startBurst": {"type": "integer", "minimum": 1},
          "maxCreating": {"type": "integer", "minimum": 1}
        }
      },
      "APILimits": {
        "type": "object", "additionalProperties": false,
        "required": ["maxConnections", "maxConnectionsPerUser", "idleTimeoutSeconds", "maxRequestBytes", "maxCount", "requestsPerSecondPerUser"],
        "properties": {
          "maxConnections": {"type": "integer", "minimum": 1, "maximum": 1000000},
          "maxConnectionsPerUser": {"type": "integer", "minimum": 1, "maximum": 1000000},
          "idleTimeoutSeconds": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 86400},
          "maxRequestBytes": {"type": "integer", "minimum": 1024, "maximum": 1073741824},
          "maxCount": {"type": "integer", "minimum": 1, "maximum": 100000},
          "listen": {"type": "string", "maxLength": 80},
          "mungeSocket": {"type": "string", "maxLength": 107},
          "requestsPerSecondPerUser": {"type": "number", "exclusiveMinimum": true, "minimum": 0}
        }
      },
      "StoreSettings": {
        "description": "Where the store is (the PostgreSQL URL, which may hold a password) is not shown.",
        "type": "object", "additionalProperties": false, "required": ["keepFinishedDays", "failoverSeconds"],
        "properties": {
          "keepFinishedDays": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 36500},
          "failoverSeconds": {"type": "number", "minimum": 3, "maximum": 3600}
        }
      },
      "MetricsSettings": {
        "type": "object", "additionalProperties": false, "required": ["groups", "refreshSeconds"],
        "properties": {
          "listen": {"type": "string", "description": "The operator's TCP listener (/metrics, the status page); absent: off."},
          "groups": {"type": "array", "maxItems": 64, "items": {"type": "string", "minLength": 1, "maxLength": 64}},
          "refreshSeconds": {"type": "integer", "minimum": 1, "maximum": 3600}
        }
      },
      "RetrySettings": {
        "type": "object", "additionalProperties": false, "required": ["maxRetries", "backoffSeconds", "maxBackoffSeconds"],
        "properties": {
          "maxRetries": {"type": "integer", "minimum": 0},
          "backoffSeconds": {"type": "number", "minimum": 0},
          "maxBackoffSeconds": {"type": "number"}
        }
      },
      "WarmMode": {"type": "string", "enum": ["running", "paused", "saved"]},
      "SharedDirectory": {
        "type": "object", "additionalProperties": false, "required": ["path", "writable"],
        "properties": {"path": {"type": "string", "pattern": "^/"}, "writable": {"type": "boolean"}}
      },
      "WorkspaceClass": {
        "type": "object", "additionalProperties": false,
        "required": ["name", "provider", "slots", "maxWorkspaces", "memoryMB", "cpus", "cpuWeight", "idleTimeoutSeconds", "leaseSeconds", "warmWorkspaces", "warmMode", "network", "settings", "attributes", "binds", "maxStageInMB", "maxStageOutMB", "maxSurge", "maxUnavailable"],
        "properties": {
          "name": {"type": "string", "minLength": 1},
          "provider": {"type": "string"},
          "slots": {"type": "integer", "minimum": 1},
          "maxWorkspaces": {"type": "integer", "minimum": 1},
          "memoryMB": {"type": "integer", "minimum": 1},
          "cpus": {"type": "integer", "minimum": 1},
          "cpuWeight": {"type": "integer", "minimum": 1},
          "cpuCapPercent": {"type": "integer", "minimum": 1},
          "maxProcesses": {"type": "integer", "minimum": 1},
          "diskMB": {"type": "integer"},
          "idleTimeoutSeconds": {"type": "integer", "minimum": 1},
          "leaseSeconds": {"type": "integer", "minimum": 1},
          "warmWorkspaces": {"type": "integer", "minimum": 0},
          "warmMode": {"$ref": "#/components/schemas/WarmMode"},
          "network": {"type": "string", "enum": ["none", "host", "shaped"]},
          "binds": {"type": "array", "items": {"$ref": "#/components/schemas/SharedDirectory"}},
          "maxStageInMB": {"type": "integer", "minimum": 1, "maximum": 16777216},
          "maxStageOutMB": {"type": "integer", "minimum": 1, "maximum": 16777216},
          "maxSurge": {"type": "integer", "minimum": 0, "maximum": 10000},
          "maxUnavailable": {"type": "integer", "minimum": 1, "maximum": 10000},
          "settings": {"type": "object", "additionalProperties": {"type": "string"}},
          "attributes": {"type": "object", "additionalProperties": {"type": "string"}}
        }
      }
    }
  }
}
"""#
}
