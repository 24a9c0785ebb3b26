// Validates every document of the manifests given against the Kubernetes JSON schemas of the
// kubernetes-models package, offline, and prints them as one JSON array for the caller to check.
// Usage: NODE_PATH="$(npm root -g)" node deploy/k8s/validate.cjs deploy/k8s/fibperf.yaml
"use strict";
const { readFileSync } = require("node:fs");
const { parseAllDocuments } = require("yaml");

const models = {
  "apps/v1/Deployment": () => require("kubernetes-models/apps/v1/Deployment").Deployment,
  "v1/Service": () => require("kubernetes-models/v1/Service").Service,
  "policy/v1/PodDisruptionBudget": () =>
    require("kubernetes-models/policy/v1/PodDisruptionBudget").PodDisruptionBudget,
};

const documents = [];
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: ${doc.errors.join("; ")}`);
    }
    const object = doc.toJS();
    const kind = `${object.apiVersion}/${object.kind}`;
    if (!models[kind]) {
      throw new Error(`${file}: no schema wired up for ${kind}`);
    }
    const Model = models[kind]();
    new Model(object).validate(); // throws naming the schema path of the first violation
    documents.push(object);
  }
}
console.log(JSON.stringify(documents));
