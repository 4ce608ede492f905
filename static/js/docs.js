// /docs: Swagger UI with one plugin of ours. Swagger UI renders each operation's path as an <a>
// inside the operation's button: a link inside a button, which screen readers announce badly and
// keyboards reach twice (swagger-api/swagger-ui#9570, #10704). The path is plain text here; deep
// links still work, since opening an operation writes its #/tag/operation into the address.
// Loaded after swagger-ui-bundle.js and before FastAPI's inline call to SwaggerUIBundle(...).
const bundle = window.SwaggerUIBundle;

const plainPaths = () => ({
  wrapComponents: {
    DeepLink: (Original, system) => (props) => system.React.createElement("span", null, props.text),
  },
});

window.SwaggerUIBundle = Object.assign(
  (options) => bundle({ ...options, plugins: [...(options.plugins ?? []), plainPaths] }),
  bundle,
);
