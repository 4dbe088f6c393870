// Start the NHS.UK frontend components (header menu, error summary focus, etc.).
import { initAll } from "../nhsuk-frontend/nhsuk-frontend-10.6.1.min.js";

initAll();

// "Copy" buttons: shown only where the browser can copy (they are hidden without JavaScript).
for (const button of document.querySelectorAll("button[data-copy]")) {
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) continue;
  const label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
