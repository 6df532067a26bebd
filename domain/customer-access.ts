/** How an activity reaches the customer account. Holds no credentials: those are obtained in the activity. */
export interface CustomerAccess {
  installId: string;
  roleArn: string;
  externalId: string;
  region: string;
}
