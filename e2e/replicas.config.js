// The replica journeys (replicas/*.journey.ts): the compose replicas run starts them
// after the suite (docker-compose.replicas.yml), never beside it, since they kill
// replicas under whatever else is running.
export default {
  files: ['replicas/**/*.journey.ts'],
  extensions: ['ts'],
  nodeArguments: ['--import=tsx', '--conditions=gatehouse-source'],
  timeout: '10m',
  workerThreads: false,
  cache: false,
};
