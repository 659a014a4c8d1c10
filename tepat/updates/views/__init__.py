"""Pages of the data-update workflow. Thin handlers: parse with a form (shape only), fetch through
`access_*`, call one service or selector, render. Capability (403) and scope (404) are checked by those
functions; a form the service rejects comes back with the service's messages and status 422, a refused
transition is explained on the page it came from."""
