// Start the NHS.UK frontend components (header menu, error summary focus, etc.).
import { initAll } from "../nhsuk-frontend/nhsuk-frontend-10.6.1.min.js";

initAll();
