// Prints what probeCuda() says on this machine as one JSON line: a device and the driver
// version, or the reason there is none. `npx tsx scripts/gpu/probe.ts [library]`
import { probeCuda } from "../../engine/backends/cuda/driver.ts";

console.log(JSON.stringify(probeCuda(process.argv[2])));
