/** The backup a restore drill picked, by id: the drill's later steps find everything else from it. */
export interface DrillPick {
  backupId: string;
  target: string;
}
