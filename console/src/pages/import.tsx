export const ImportPage = () => <h1>Import</h1>;
