import React, { ReactNode } from 'react';
import { Alert, Button, LoadingPlaceholder, Stack, Text } from '@grafana/ui';

import { RelayError } from '../../api/errors';

interface Props {
  /** What is being loaded, e.g. "preview"; used in messages. */
  what: string;
  loading: boolean;
  error?: RelayError;
  empty?: boolean;
  emptyText?: ReactNode;
  onRetry?: () => void;
  /** Small, inline rendering for secondary calls such as suggestions. */
  compact?: boolean;
  children?: ReactNode;
}

/**
 * The loading, error and empty states of one resource call. Errors show the
 * backend's own message and code (see RelayError), never a generic text.
 */
export function ResourceStatus({ what, loading, error, empty, emptyText, onRetry, compact, children }: Props) {
  if (error) {
    if (compact) {
      return (
        <Text color="error" variant="bodySmall" data-testid={`${what}-error`}>
          {`Could not load ${what}: ${error.message}`}
        </Text>
      );
    }
    return (
      <Alert
        severity="error"
        title={`Could not load ${what}`}
        data-testid={`${what}-error`}
        buttonContent={onRetry ? 'Retry' : undefined}
        onRemove={onRetry}
      >
        <div>{error.message}</div>
        {(error.code || error.status > 0) && (
          <Text color="secondary" variant="bodySmall">
            {[error.code && `code ${error.code}`, error.status > 0 && `HTTP ${error.status}`]
              .filter(Boolean)
              .join(' · ')}
          </Text>
        )}
      </Alert>
    );
  }
  if (loading && !children) {
    return compact ? (
      <Text color="secondary" variant="bodySmall">{`Loading ${what}…`}</Text>
    ) : (
      <LoadingPlaceholder text={`Loading ${what}…`} />
    );
  }
  if (empty) {
    return (
      <Stack direction="row" alignItems="center" gap={1}>
        <Text color="secondary" italic data-testid={`${what}-empty`}>
          {emptyText ?? `No ${what}.`}
        </Text>
        {onRetry && !compact && (
          <Button size="sm" variant="secondary" fill="text" icon="sync" onClick={onRetry}>
            Reload
          </Button>
        )}
      </Stack>
    );
  }
  return <>{children}</>;
}
