import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/config/ConfigEditor';
import { QueryEditor } from './components/query/QueryEditor';
import { DataSource } from './datasource';
import { RelayQuery } from './types/query';
import { RelayJsonData, RelaySecureJsonData } from './types/settings';

export const plugin = new DataSourcePlugin<DataSource, RelayQuery, RelayJsonData, RelaySecureJsonData>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
