import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';

/** Compact editable tables used by the config and query editors. */
export const getTableStyles = (theme: GrafanaTheme2) => ({
  table: css({
    borderCollapse: 'collapse',
    width: '100%',
    marginBottom: theme.spacing(1),
    'th, td': {
      padding: theme.spacing(0.5, 0.5),
      verticalAlign: 'middle',
      textAlign: 'left',
    },
    th: {
      color: theme.colors.text.secondary,
      fontSize: theme.typography.bodySmall.fontSize,
      fontWeight: theme.typography.fontWeightMedium,
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      whiteSpace: 'nowrap',
    },
    'tbody tr': { borderBottom: `1px solid ${theme.colors.border.weak}` },
  }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  chips: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.25) }),
  error: css({ color: theme.colors.error.text, fontSize: theme.typography.bodySmall.fontSize }),
});
