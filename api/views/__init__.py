"""The dashboards' and browsing routes' view models: what a page or its JSON twin shows, computed
from catalog calls (no Cypher here: all of it lives in catalog/store/)."""
