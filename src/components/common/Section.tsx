import { css } from '@emotion/css';
import React, { ReactNode } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';

interface Props {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  id?: string;
}

/** A titled block of the config editor. */
export function Section({ title, description, children, id }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.section} aria-label={title} id={id}>
      <Text element="h3" variant="h4">
        {title}
      </Text>
      {description && (
        <div className={styles.description}>
          <Text color="secondary" variant="bodySmall">
            {description}
          </Text>
        </div>
      )}
      <div className={styles.body}>{children}</div>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({
    marginBottom: theme.spacing(3),
    paddingBottom: theme.spacing(2),
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    maxWidth: 1100,
  }),
  description: css({ marginTop: theme.spacing(0.5), maxWidth: 800 }),
  body: css({ marginTop: theme.spacing(2) }),
});
