// Starts GOV.UK Frontend's components. Loaded as <script type="module">, so it runs only in browsers
// that GOV.UK Frontend supports, and the CSP needs no inline script for the body classes.
import { initAll } from "../dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
