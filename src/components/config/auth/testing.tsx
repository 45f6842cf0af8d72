import { render } from '@testing-library/react';
import React, { useState } from 'react';

import { RelaySettings } from '../../../types/settings';
import { AuthSection } from '../AuthSection';
import { makeConfigApi } from '../configApi';

/** Renders the auth section on settings held as Grafana holds them; `current` is the latest settings emitted. */
export function renderAuth(initial: Partial<RelaySettings>) {
  const latest = { current: { jsonData: {}, secureJsonFields: {}, ...initial } as RelaySettings };
  function Host() {
    const [o, setO] = useState(latest.current);
    const cfg = makeConfigApi(o, (n) => {
      latest.current = n;
      setO(n);
    });
    return <AuthSection cfg={cfg} />;
  }
  render(<Host />);
  return latest;
}
