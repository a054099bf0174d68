// Validates Kubernetes objects (a JSON array on stdin, as tools/ops-check renders them) against the
// OpenAPI schemas of Kubernetes and of the Prometheus operator's CRDs, compiled into validators by
// the kubernetes-models packages (package.json pins them; `npm ci` in this folder installs them).
//
// Those validators check types, formats, enums and required fields, but, like the OpenAPI schemas
// they come from, they accept fields no schema declares, which the API server would drop
// (or, with strict field validation, refuse). So every object is validated through a proxy that
// records which properties the validator looked at: a validator reads every property its schema
// declares (present or not) and enumerates maps, so a key of a typed object that it never read is
// a field the schema does not have. Objects whose properties the validator neither read nor
// enumerated are free-form in the schema (e.g. x-kubernetes-preserve-unknown-fields) and are not
// judged. Exit status 1 with one line per problem, 0 when every object is valid.
import { readFileSync } from "node:fs";

const core = "kubernetes-models/_schemas/IoK8sApi";
// The operator's package exports no _schemas path, so its files are imported by location.
const operator = new URL(
  "./node_modules/@kubernetes-models/prometheus-operator/_schemas/" +
    "ComGithubPrometheusOperatorPrometheusOperatorPkgApisMonitoringV1",
  import.meta.url,
).href;
// apiVersion/kind -> the module of its validator. A kind missing here is an error, not a pass.
const SCHEMAS = {
  "v1/Namespace": `${core}CoreV1Namespace`,
  "v1/ConfigMap": `${core}CoreV1ConfigMap`,
  "v1/Secret": `${core}CoreV1Secret`,
  "v1/Service": `${core}CoreV1Service`,
  "v1/ServiceAccount": `${core}CoreV1ServiceAccount`,
  "apps/v1/Deployment": `${core}AppsV1Deployment`,
  "batch/v1/Job": `${core}BatchV1Job`,
  "policy/v1/PodDisruptionBudget": `${core}PolicyV1PodDisruptionBudget`,
  "autoscaling/v2/HorizontalPodAutoscaler": `${core}AutoscalingV2HorizontalPodAutoscaler`,
  "networking.k8s.io/v1/NetworkPolicy": `${core}NetworkingV1NetworkPolicy`,
  "monitoring.coreos.com/v1/PodMonitor": `${operator}PodMonitor.js`,
  "monitoring.coreos.com/v1/ServiceMonitor": `${operator}ServiceMonitor.js`,
  "monitoring.coreos.com/v1/PrometheusRule": `${operator}PrometheusRule.js`,
};

// Wraps `value` so that reads and enumerations of its properties (and of its children's) are
// recorded in `seen`.
function track(value, path, seen) {
  if (value === null || typeof value !== "object") return value;
  const record = { path, value, read: new Set(), enumerated: false };
  seen.push(record);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string") record.read.add(key);
      const child = Reflect.get(target, key, receiver);
      if (typeof key !== "string" || child === null || typeof child !== "object") return child;
      if (!children.has(key)) children.set(key, track(child, `${path}/${key}`, seen));
      return children.get(key);
    },
    has(target, key) {
      if (typeof key === "string") record.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      record.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(seen) {
  const problems = [];
  for (const { path, value, read, enumerated } of seen) {
    if (Array.isArray(value) || enumerated || read.size === 0) continue;
    for (const key of Object.keys(value)) {
      if (!read.has(key)) problems.push(`${path}/${key}: unknown field`);
    }
  }
  return problems;
}

const objects = JSON.parse(readFileSync(0, "utf8"));
let failures = 0;
for (const object of objects) {
  const name = `${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;
  const module = SCHEMAS[`${object.apiVersion}/${object.kind}`];
  if (!module) {
    console.log(`${name}: no schema known for ${object.apiVersion} ${object.kind} (add it to tools/k8s-schema/validate.mjs)`);
    failures++;
    continue;
  }
  const { validate } = await import(module);
  const seen = [];
  const valid = validate(track(object, "", seen));
  const problems = valid ? [] : validate.errors.map((e) => `${e.instancePath || "/"}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  problems.push(...unknownFields(seen));
  for (const problem of problems) console.log(`${name}: ${problem}`);
  if (problems.length > 0) failures++;
}
console.log(`k8s-schema: ${objects.length - failures} of ${objects.length} objects valid`);
process.exit(failures > 0 ? 1 : 0);
