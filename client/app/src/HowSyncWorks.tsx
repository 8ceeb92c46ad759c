/** The app's own help: how edits made on several devices, online or not, end up combined. */
export function HowSyncWorks() {
  return (
    <details className="help" data-testid="help">
      <summary>How edits from several devices combine</summary>
      <ul>
        <li>Everything works offline: changes are kept on this device and sent when it is back online.</li>
        <li>Title: the edit that reaches the server last wins.</li>
        <li>
          Text: if two devices change it without seeing each other’s change, both versions are kept and a panel asks
          you to keep one or combine them.
        </li>
        <li>Tags and likes: every device’s additions count. A tag removed on one device while another adds it stays.</li>
        <li>Folders: two folders given the same name on different devices become one, with the notes of both.</li>
        <li>A note deleted on one device while another edits it comes back with the edit.</li>
      </ul>
    </details>
  );
}
