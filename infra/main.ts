/**
 * The CDKTF app: one stack per environment, named after it (`cdktf deploy dev`). Run through cdktf.json
 * (`npm run synth`); writes `cdktf.out/stacks/<env>/cdk.tf.json`.
 */
import { App } from 'cdktf';
import { ENVIRONMENTS } from './environments';
import { observabilityDefinitions } from './observability-definitions';
import { GatewayStack } from './stacks/gateway-stack';

const app = new App();
for (const env of ENVIRONMENTS) new GatewayStack(app, env, observabilityDefinitions(env));
app.synth();
