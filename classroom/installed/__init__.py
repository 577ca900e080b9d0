"""The class iPad as an installed app: web app manifest, icons at the root, service worker."""
