-- The catalog a `wowdash catalog import` of two versions would leave in the
-- shared database (docs/CATALOG.md), written directly: the one place tests
-- get a catalog from until the import is there (test_names.c reads this file,
-- seed.py's seed_catalog() runs it).  Languages en (the first: lang '') and fi.
-- Statements end with ";" at the end of a line.
INSERT INTO catalog_versions(version, made_ms, made_by, note, body) VALUES
  (1, 1000, 'admin', 'first', '[kiosk]
languages = en, fi
'),
  (2, 2000, 'admin', 'reasons reordered', '[kiosk]
languages = en, fi
mode = single
');
INSERT INTO dash_groups(group_id, name, parent_id) VALUES ('lobby', 'lobby', NULL);
INSERT INTO dash_departments(department, name, group_id, customer_facing) VALUES
  ('front', 'Front desk', 'lobby', 1),
  ('bar', 'Bar', 'lobby', 1);
INSERT INTO catalog_names(kind, id, lang, name) VALUES
  ('department', 'front', '', 'Front desk'),
  ('department', 'front', 'fi', 'Vastaanotto'),
  ('department', 'bar', '', 'Lobby bar'),
  ('department', 'calm', '', 'Calm corner'),
  ('group', 'lobby', '', 'Lobby'),
  ('site', 'HQ', '', 'Head office'),
  ('site', 'HQ', 'fi', 'Pääkonttori'),
  ('group', 'lobby', 'fi', 'Aula'),
  ('reason', 'friendly', '', 'Friendly staff'),
  ('reason', 'friendly', 'fi', 'Ystävällinen henkilökunta'),
  ('reason', 'fast', '', 'Quick service'),
  ('reason', 'slow', '', 'Slow service'),
  ('reason', 'slow', 'fi', 'Hidas palvelu'),
  ('reason', 'wait', '', 'Long wait');
INSERT INTO catalog_reasons(reason, list, position) VALUES
  ('friendly', 'positive', 0),
  ('fast', 'positive', 1),
  ('slow', 'negative', 0),
  ('wait', 'negative', 1);
