-- Up Migration
-- gen_random_uuid() is built in since PostgreSQL 13; no extension needed.
CREATE TABLE courses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  description text CHECK (char_length(description) <= 5000),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE courses;
