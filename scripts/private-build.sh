#!/usr/bin/env bash
# Builds the whole tree into a private folder (for developers working side by side):
#   bash scripts/private-build.sh /tmp/me    ->  /tmp/me/dist/..., /tmp/me/bin/tutti.js runnable
# Type errors are printed but do not stop the build (tsc still emits).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: private-build.sh OUTDIR}"
mkdir -p "$out"
npx tsc -p tsconfig.json --outDir "$out/dist" --tsBuildInfoFile "$out/tsbuildinfo" | head -40
node scripts/copy-assets.js "$out/dist"
node "$out/dist/src/api/openapi/generate.js" >/dev/null
rm -rf "$out/bin" && cp -r bin "$out/bin"
cp package.json "$out/package.json"
ln -sfn "$PWD/node_modules" "$out/node_modules"
echo "built into $out (run: node $out/bin/tutti.js ..., tests: node --test $out/dist/src/<folder>/)"
