# Caddy with deploy/Caddyfile built in (docker-compose.yml's `caddy` service; context: deploy/).
# Built in rather than bind-mounted so the proxy's configuration is versioned and shipped with
# each `docker compose up -d --build`, like the app's. After editing the Caddyfile:
#   docker compose up -d --build caddy
FROM caddy:2
COPY Caddyfile /etc/caddy/Caddyfile
